import { z } from 'zod';

/** A user as the API returns it. */
export const UserSchema = z.object({
  id: z.string(),
  username: z.string(),
  full_name: z.string(),
  address: z.string().nullish(),
  role: z.enum(['admin', 'client']),
  created_at: z.string(),
});
export type User = z.infer<typeof UserSchema>;
export type Role = User['role'];

/** The body of login and refresh answers. */
export const TokenResponseSchema = z.object({
  access_token: z.string().min(1),
  token_type: z.string().optional(),
  expires_in: z.number().positive(),
  user: UserSchema,
});
export type TokenResponse = z.infer<typeof TokenResponseSchema>;

/** The signed-in state, kept in memory only (the refresh cookie survives reloads). */
export type Session = { accessToken: string; expiresAt: number; user: User };

type Listener = () => void;

/** A tiny external store, so the API client, the WebSocket and React all read one session. */
function createSessionStore() {
  let session: Session | null = null;
  let endedReason: string | null = null;
  const listeners = new Set<Listener>();
  const emit = () => listeners.forEach((listener) => listener());
  return {
    get: () => session,
    set(next: Session | null) {
      session = next;
      if (next) endedReason = null;
      emit();
    },
    /** Ends the session because the server did (signed out elsewhere, deleted, role changed). */
    end(reason: string) {
      endedReason = reason;
      session = null;
      emit();
    },
    /** Why the last session ended without the user signing out, for the sign-in page. */
    endedReason: () => endedReason,
    fromTokenResponse(body: TokenResponse, now = Date.now()) {
      this.set({ accessToken: body.access_token, expiresAt: now + body.expires_in * 1000, user: body.user });
    },
    updateUser(user: User) {
      if (session) this.set({ ...session, user });
    },
    subscribe(listener: Listener) {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
  };
}

export const sessionStore = createSessionStore();
