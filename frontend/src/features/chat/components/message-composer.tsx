import { zodResolver } from '@hookform/resolvers/zod';
import { Button, Group, Textarea } from '@mantine/core';
import { useForm } from 'react-hook-form';
import { z } from 'zod';

const ComposerSchema = z.object({ body: z.string().trim().min(1, 'Write a message first.').max(4000, 'At most 4000 characters.') });
type ComposerValues = z.infer<typeof ComposerSchema>;

type Props = { label: string; onSend: (body: string) => void; onTyping: () => void };

/** The message box: Enter sends, Shift+Enter starts a new line. */
export function MessageComposer({ label, onSend, onTyping }: Props) {
  const form = useForm<ComposerValues>({ resolver: zodResolver(ComposerSchema), defaultValues: { body: '' } });
  const field = form.register('body', { onChange: onTyping });
  const submit = form.handleSubmit(({ body }) => {
    onSend(body.trim());
    form.reset();
  });

  return (
    <form onSubmit={submit} noValidate aria-label={label}>
      <Group align="flex-end" gap="xs" wrap="nowrap">
        <Textarea
          {...field}
          label="Message"
          placeholder="Write a message"
          autosize
          minRows={1}
          maxRows={5}
          style={{ flex: 1 }}
          error={form.formState.errors.body?.message}
          onKeyDown={(event) => {
            if (event.key === 'Enter' && !event.shiftKey) {
              event.preventDefault();
              void submit();
            }
          }}
        />
        <Button type="submit">Send</Button>
      </Group>
    </form>
  );
}
