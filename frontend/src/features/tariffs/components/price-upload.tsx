import { Alert, Button, FileInput, Group, SegmentedControl, Stack, Text, Textarea } from '@mantine/core';
import { useState } from 'react';
import { describeError } from '@/lib/api-error';
import { useUploadTariffPrices } from '../api/upload-tariff-prices';
import type { Tariff } from '../types';

type Source = 'csv' | 'json';

/** A file's text (FileReader: also where `Blob.text` is missing). */
function readText(file: File): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result));
    reader.onerror = () => reject(reader.error ?? new Error('Could not read the file.'));
    reader.readAsText(file);
  });
}

/** Uploads a dynamic tariff's prices: a CSV file (`start,price`) or pasted JSON (`[{"start","price"}]`). */
export function PriceUpload({ tariff, onDone }: { tariff: Tariff; onDone: () => void }) {
  const [source, setSource] = useState<Source>('csv');
  const [file, setFile] = useState<File | null>(null);
  const [pasted, setPasted] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const upload = useUploadTariffPrices();

  const send = async () => {
    setProblem(null);
    upload.reset();
    let content: string;
    if (source === 'csv') {
      if (!file) return setProblem('Choose a CSV file.');
      try {
        content = await readText(file);
      } catch {
        return setProblem('Could not read the file.');
      }
    } else {
      content = pasted.trim();
      try {
        if (!Array.isArray(JSON.parse(content))) return setProblem('The JSON must be an array of {"start", "price"}.');
      } catch {
        return setProblem('That is not valid JSON.');
      }
    }
    upload.mutate({ tariffId: tariff.id, format: source, content });
  };

  return (
    <Stack>
      <Text size="sm">
        Prices of <strong>{tariff.name}</strong> per {tariff.slot_minutes ?? 60}-minute slot, in {tariff.currency} per kWh. A slot
        already in the past keeps its price; future slots are replaced.
      </Text>
      <SegmentedControl
        aria-label="Price source"
        value={source}
        onChange={(value) => setSource(value as Source)}
        data={[
          { value: 'csv', label: 'CSV file' },
          { value: 'json', label: 'Paste JSON' },
        ]}
      />
      {source === 'csv' ? (
        <FileInput label="CSV file" description="Header start,price; start in RFC 3339" accept=".csv,text/csv" value={file} onChange={setFile} clearable />
      ) : (
        <Textarea
          label="Prices as JSON"
          placeholder='[{"start": "2026-12-06T00:00:00Z", "price": "0.21"}]'
          autosize
          minRows={4}
          value={pasted}
          onChange={(event) => setPasted(event.currentTarget.value)}
        />
      )}
      {(problem || upload.isError) && (
        <Text c="red" size="sm" role="alert">
          {problem ?? describeError(upload.error)}
        </Text>
      )}
      {upload.data && (
        <Alert color="teal" role="status" title="Prices stored">
          {upload.data.stored} slot{upload.data.stored === 1 ? '' : 's'} stored, {upload.data.replaced} replaced.
        </Alert>
      )}
      <Group justify="flex-end">
        <Button variant="default" onClick={onDone}>
          Close
        </Button>
        <Button loading={upload.isPending} onClick={() => void send()}>
          Upload prices
        </Button>
      </Group>
    </Stack>
  );
}
