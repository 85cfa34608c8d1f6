import { z } from 'zod';
import { COMPANY_FIELDS } from '../domain/payment-form.js';

/**
 * What a modal must remember about where it was opened: Slack's `view_submission` carries no channel.
 * Short keys, because private_metadata is capped at 3000 characters.
 */
const modalOriginSchema = z.object({
  channel: z.string().regex(/^[A-Z0-9]+$/),
  user: z.string().regex(/^[A-Z0-9]+$/),
  /** The thread to answer in (message shortcut); absent for the slash command. */
  threadTs: z
    .string()
    .regex(/^\d+\.\d+$/)
    .optional(),
  /** Opened in a group DM: a DM between people, as one whose id starts with `D`, which no bot can join. */
  groupDm: z.literal(true).optional(),
  /** The command's or shortcut's response_url: reaches the rep even where the bot cannot post. */
  responseUrl: z.url({ protocol: /^https?$/ }).optional(),
  /**
   * The company's details typed before the rep picked an individual: given back should they pick a company again.
   * Each as short as its input (Slack holds it to SAFEDEBIT's length), well within the 3000 characters.
   */
  company: z.partialRecord(z.enum(COMPANY_FIELDS), z.string()).optional(),
});

export type ModalOrigin = z.infer<typeof modalOriginSchema>;

export function encodeModalOrigin(origin: ModalOrigin): string {
  return JSON.stringify(origin);
}

/** The origin a view carries, or undefined when it is missing or not ours. */
export function decodeModalOrigin(privateMetadata: unknown): ModalOrigin | undefined {
  if (typeof privateMetadata !== 'string') return undefined;
  try {
    const parsed = modalOriginSchema.safeParse(JSON.parse(privateMetadata));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
