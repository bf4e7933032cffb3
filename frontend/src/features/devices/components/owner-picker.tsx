import { Select } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useState } from 'react';
import type { User } from '@/lib/session';
import { useOwnerSearch } from '../api/search-owners';

const label = (user: User) => `${user.full_name} (${user.username})`;

type Props = { value: User | null; onChange: (user: User | null) => void; error?: string };

/** A searchable user picker: typing searches the server, not only the loaded page. */
export function OwnerPicker({ value, onChange, error }: Props) {
  const [search, setSearch] = useState('');
  const [q] = useDebouncedValue(search, 250);
  // After a pick the box shows the picked label; searching for that text would hide the choice.
  const query = value && q === label(value) ? '' : q;
  const owners = useOwnerSearch(query.trim());
  const users = owners.data?.items ?? [];
  const all = value && !users.some((user) => user.id === value.id) ? [value, ...users] : users;

  return (
    <Select
      label="Owner"
      placeholder="Search by name or username"
      searchable
      clearable
      searchValue={search}
      onSearchChange={setSearch}
      data={all.map((user) => ({ value: user.id, label: label(user) }))}
      filter={({ options }) => options}
      value={value?.id ?? null}
      onChange={(id) => onChange(all.find((user) => user.id === id) ?? null)}
      nothingFoundMessage={owners.isFetching ? 'Searching…' : 'No user found'}
      error={error}
      comboboxProps={{ withinPortal: true }}
    />
  );
}
