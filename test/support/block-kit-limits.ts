/**
 * Slack's documented Block Kit limits, as a checker: one element past any of them and Slack refuses the whole post or
 * view (`invalid_blocks`, `invalid_arguments`, `msg_too_long`). Lengths are counted in UTF-16 code units, which is
 * never fewer than the characters Slack counts, so a payload that passes here passes there.
 *
 * Sources: the Block Kit reference (blocks, block elements, composition objects), views.open/views.publish, and
 * chat.postMessage (`text`: 40,000 characters, and Slack advises 4,000 for a message people read).
 */

type Json = Record<string, unknown>;

export type Surface = 'modal' | 'home' | 'message';

/** Slack's numbers, by what they limit. */
const LIMITS = {
  modalTitle: 24,
  modalButton: 24,
  privateMetadata: 3000,
  callbackId: 255,
  viewBlocks: 100,
  messageBlocks: 50,
  messageText: 40_000,
  /** Past this, Slack advises against a message's `text`: people read it, and it is what notifications show. */
  readableText: 4000,
  textObject: 3000,
  sectionFields: 10,
  sectionField: 2000,
  header: 150,
  contextElements: 10,
  actionsElements: 25,
  blockId: 255,
  actionId: 255,
  buttonText: 75,
  buttonUrl: 3000,
  buttonValue: 2000,
  inputLabel: 2000,
  inputHint: 2000,
  placeholder: 150,
  inputMaxLength: 3000,
  optionText: 75,
  optionValue: 150,
  optionDescription: 75,
  choiceOptions: 10,
  selectOptions: 100,
} as const;

/** Every limit `payload` breaks on `surface`, one line each (`blocks[2].text.text: 3012 > 3000`); none: `[]`. */
export function blockKitProblems(surface: Surface, payload: unknown): string[] {
  const problems: string[] = [];
  const check = new Checker(problems);
  const root = asObject(payload);
  if (surface === 'message') check.message(root);
  else check.view(surface, root);
  return problems;
}

class Checker {
  constructor(private readonly problems: string[]) {}

  private fail(path: string, what: string): void {
    this.problems.push(`${path}: ${what}`);
  }

  private max(path: string, value: unknown, limit: number): void {
    if (typeof value === 'string' && value.length > limit) this.fail(path, `${value.length} > ${limit}`);
  }

  private count(path: string, list: unknown, limit: number): void {
    if (Array.isArray(list) && list.length > limit) this.fail(path, `${list.length} items > ${limit}`);
  }

  view(surface: 'modal' | 'home', view: Json): void {
    if (surface === 'modal') {
      this.plain('title', view.title, LIMITS.modalTitle, true);
      if (view.submit !== undefined) this.plain('submit', view.submit, LIMITS.modalButton, true);
      if (view.close !== undefined) this.plain('close', view.close, LIMITS.modalButton, true);
      const hasInput = asArray(view.blocks).some((block) => asObject(block).type === 'input');
      if (hasInput && view.submit === undefined) this.fail('submit', 'missing, with input blocks');
    }
    this.max('private_metadata', view.private_metadata, LIMITS.privateMetadata);
    this.max('callback_id', view.callback_id, LIMITS.callbackId);
    this.blocks('blocks', view.blocks, LIMITS.viewBlocks);
  }

  message(message: Json): void {
    const text = message.text;
    if (typeof text !== 'string' || text === '') this.fail('text', 'missing (the notification and fallback text)');
    this.max('text', text, LIMITS.readableText);
    this.max('text', text, LIMITS.messageText);
    if (message.blocks !== undefined) this.blocks('blocks', message.blocks, LIMITS.messageBlocks);
    asArray(message.attachments).forEach((attachment, index) => {
      const path = `attachments[${index}]`;
      const { fallback, blocks } = asObject(attachment);
      this.max(`${path}.fallback`, fallback, LIMITS.readableText);
      if (blocks !== undefined) this.blocks(`${path}.blocks`, blocks, LIMITS.messageBlocks);
    });
  }

  private blocks(path: string, blocks: unknown, limit: number): void {
    if (!Array.isArray(blocks)) {
      this.fail(path, 'not an array');
      return;
    }
    this.count(path, blocks, limit);
    const ids = new Set<string>();
    blocks.forEach((raw, index) => {
      const block = asObject(raw);
      const at = `${path}[${index}]`;
      if (typeof block.block_id === 'string') {
        this.max(`${at}.block_id`, block.block_id, LIMITS.blockId);
        if (ids.has(block.block_id)) this.fail(`${at}.block_id`, `"${block.block_id}" repeated`);
        ids.add(block.block_id);
      }
      this.block(at, block);
    });
  }

  private block(at: string, block: Json): void {
    switch (block.type) {
      case 'section': {
        if (block.text === undefined && block.fields === undefined) this.fail(at, 'neither text nor fields');
        if (block.text !== undefined) this.text(`${at}.text`, block.text, LIMITS.textObject);
        if (block.fields !== undefined) {
          this.count(`${at}.fields`, block.fields, LIMITS.sectionFields);
          asArray(block.fields).forEach((field, i) => {
            this.text(`${at}.fields[${i}]`, field, LIMITS.sectionField);
          });
        }
        if (block.accessory !== undefined) this.element(`${at}.accessory`, asObject(block.accessory));
        return;
      }
      case 'header':
        this.plain(`${at}.text`, block.text, LIMITS.header);
        return;
      case 'context':
        this.count(`${at}.elements`, block.elements, LIMITS.contextElements);
        asArray(block.elements).forEach((element, i) => {
          this.text(`${at}.elements[${i}]`, element, LIMITS.textObject);
        });
        return;
      case 'actions':
        this.count(`${at}.elements`, block.elements, LIMITS.actionsElements);
        asArray(block.elements).forEach((element, i) => {
          this.element(`${at}.elements[${i}]`, asObject(element));
        });
        return;
      case 'input':
        this.plain(`${at}.label`, block.label, LIMITS.inputLabel);
        if (block.hint !== undefined) this.plain(`${at}.hint`, block.hint, LIMITS.inputHint);
        this.element(`${at}.element`, asObject(block.element));
        return;
      case 'divider':
        return;
      default:
        this.fail(at, `block type ${String(block.type)} not checked here`);
    }
  }

  private element(at: string, element: Json): void {
    this.max(`${at}.action_id`, element.action_id, LIMITS.actionId);
    if (element.placeholder !== undefined) this.plain(`${at}.placeholder`, element.placeholder, LIMITS.placeholder);
    switch (element.type) {
      case 'button':
        this.plain(`${at}.text`, element.text, LIMITS.buttonText);
        this.max(`${at}.url`, element.url, LIMITS.buttonUrl);
        this.max(`${at}.value`, element.value, LIMITS.buttonValue);
        return;
      case 'plain_text_input': {
        const { max_length: maxLength, min_length: minLength, initial_value: initial } = element;
        if (maxLength !== undefined && !(typeof maxLength === 'number' && maxLength >= 1 && maxLength <= 3000)) {
          this.fail(`${at}.max_length`, `${String(maxLength)} outside 1–${LIMITS.inputMaxLength}`);
        }
        if (minLength !== undefined && !(typeof minLength === 'number' && minLength >= 0 && minLength <= 3000)) {
          this.fail(`${at}.min_length`, `${String(minLength)} outside 0–${LIMITS.inputMaxLength}`);
        }
        if (typeof initial === 'string') {
          this.max(`${at}.initial_value`, initial, typeof maxLength === 'number' ? maxLength : LIMITS.inputMaxLength);
          if (hasLoneSurrogate(initial)) this.fail(`${at}.initial_value`, 'a character cut in half');
          if (initial.length < (typeof minLength === 'number' ? minLength : 0)) {
            this.fail(`${at}.initial_value`, 'shorter than min_length');
          }
        }
        return;
      }
      case 'email_text_input':
        return;
      case 'checkboxes':
      case 'radio_buttons':
      case 'static_select': {
        const limit = element.type === 'static_select' ? LIMITS.selectOptions : LIMITS.choiceOptions;
        this.count(`${at}.options`, element.options, limit);
        const values = new Set<string>();
        asArray(element.options).forEach((raw, i) => {
          const option = asObject(raw);
          this.option(`${at}.options[${i}]`, option);
          if (typeof option.value === 'string') values.add(option.value);
        });
        const initial = [
          ...asArray(element.initial_options),
          ...(element.initial_option ? [element.initial_option] : []),
        ];
        initial.forEach((raw, i) => {
          const value = asObject(raw).value;
          if (typeof value !== 'string' || !values.has(value))
            this.fail(`${at}.initial[${i}]`, 'not among the options');
        });
        return;
      }
      default:
        this.fail(at, `element type ${String(element.type)} not checked here`);
    }
  }

  private option(at: string, option: Json): void {
    this.text(`${at}.text`, option.text, LIMITS.optionText);
    this.max(`${at}.value`, option.value, LIMITS.optionValue);
    if (option.description !== undefined) this.text(`${at}.description`, option.description, LIMITS.optionDescription);
  }

  /** A text object: plain_text or mrkdwn, 1 to `limit` characters. */
  private text(at: string, raw: unknown, limit: number): void {
    const object = asObject(raw);
    if (object.type !== 'plain_text' && object.type !== 'mrkdwn') {
      this.fail(at, 'not a text object');
    } else if (typeof object.text !== 'string' || object.text.length === 0) {
      this.fail(`${at}.text`, 'empty');
    } else {
      this.max(`${at}.text`, object.text, limit);
      if (hasLoneSurrogate(object.text)) this.fail(`${at}.text`, 'a character cut in half');
    }
  }

  private plain(at: string, raw: unknown, limit: number, required = false): void {
    if (raw === undefined && !required) return;
    if (asObject(raw).type !== 'plain_text') this.fail(at, 'not plain_text');
    else this.text(at, raw, limit);
  }
}

function asObject(value: unknown): Json {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : {};
}

function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

/**
 * Half of a surrogate pair: what `slice` leaves of an emoji it cuts. Not one of Slack's documented limits, but no
 * UTF-8 either: Slack can only refuse it or show a replacement character.
 */
function hasLoneSurrogate(text: string): boolean {
  return /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(text);
}
