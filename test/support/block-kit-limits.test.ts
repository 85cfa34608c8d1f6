import { describe, expect, it } from 'vitest';
import { blockKitProblems } from './block-kit-limits.js';

const mrkdwn = (text: string) => ({ type: 'mrkdwn', text });
const plain = (text: string) => ({ type: 'plain_text', text });
const section = (text: string) => ({ type: 'section', text: mrkdwn(text) });

// The checker is what the builders' limit tests trust: each limit it knows must catch one element past it.
describe('blockKitProblems', () => {
  it('passes a message and a modal within every limit', () => {
    expect(blockKitProblems('message', { text: 'x', blocks: [section('x'.repeat(3000))] })).toEqual([]);
    const modal = { type: 'modal', title: plain('x'.repeat(24)), private_metadata: 'x'.repeat(3000), blocks: [] };
    expect(blockKitProblems('modal', modal)).toEqual([]);
  });

  it.each([
    ['a section text', { text: 'x', blocks: [section('x'.repeat(3001))] }, 'blocks[0].text.text: 3001 > 3000'],
    ['an empty text', { text: 'x', blocks: [section('')] }, 'blocks[0].text.text: empty'],
    [
      'a section field',
      { text: 'x', blocks: [{ type: 'section', fields: [mrkdwn('x'.repeat(2001))] }] },
      'blocks[0].fields[0].text: 2001 > 2000',
    ],
    [
      'eleven fields',
      { text: 'x', blocks: [{ type: 'section', fields: Array(11).fill(mrkdwn('x')) }] },
      'blocks[0].fields: 11 items > 10',
    ],
    ['51 blocks', { text: 'x', blocks: Array(51).fill({ type: 'divider' }) }, 'blocks: 51 items > 50'],
    [
      'a header',
      { text: 'x', blocks: [{ type: 'header', text: plain('x'.repeat(151)) }] },
      'blocks[0].text.text: 151 > 150',
    ],
    [
      'a button’s URL',
      {
        text: 'x',
        blocks: [
          { ...section('x'), accessory: { type: 'button', text: plain('x'), url: `https://${'x'.repeat(2993)}` } },
        ],
      },
      'blocks[0].accessory.url: 3001 > 3000',
    ],
    ['a readable text', { text: 'x'.repeat(4001) }, 'text: 4001 > 4000'],
    [
      'a context element',
      { text: 'x', blocks: [{ type: 'context', elements: Array(11).fill(mrkdwn('x')) }] },
      'blocks[0].elements: 11 items > 10',
    ],
  ])('catches %s past its limit', (_what, message, problem) => {
    expect(blockKitProblems('message', message)).toContain(problem);
  });

  it('catches a modal’s title, metadata, and an input whose value is longer than it takes', () => {
    const modal = {
      type: 'modal',
      title: plain('x'.repeat(25)),
      submit: plain('ok'),
      private_metadata: 'x'.repeat(3001),
      blocks: [
        {
          type: 'input',
          label: plain('x'),
          element: { type: 'plain_text_input', max_length: 5, initial_value: 'x'.repeat(6), placeholder: plain('') },
        },
      ],
    };
    expect(blockKitProblems('modal', modal)).toEqual([
      'title.text: 25 > 24',
      'private_metadata: 3001 > 3000',
      'blocks[0].element.placeholder.text: empty',
      'blocks[0].element.initial_value: 6 > 5',
    ]);
  });
});
