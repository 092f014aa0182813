/**
 * A Slack incoming-webhook message: Block Kit blocks (the headline; workflow and status; the reason; the links)
 * and a plain `text` fallback for notifications and clients without blocks.
 */
import type { Summary } from './summary.ts';

/** Slack's limit on the text of one section block. */
const SECTION_CHARS = 3000;

/** The body POSTed to a Slack incoming webhook. */
export interface SlackMessage {
  text: string;
  blocks: Array<Record<string, unknown>>;
}

const ICONS: Record<Summary['event'], string> = {
  failed: ':x:',
  succeeded: ':white_check_mark:',
  recovered: ':white_check_mark:',
  waiting: ':hourglass_flowing_sand:',
  missed: ':warning:',
  skipped: ':fast_forward:',
  invalid: ':warning:',
};

/** The message for a summary. */
export function slackMessage(summary: Summary): SlackMessage {
  const links = [...(summary.url ? [summary.url] : []), ...summary.links];
  const blocks: Array<Record<string, unknown>> = [
    { type: 'header', text: { type: 'plain_text', text: summary.headline.slice(0, 150), emoji: true } },
    {
      type: 'section',
      fields: [
        { type: 'mrkdwn', text: `*Workflow*\n${escapeMrkdwn(summary.workflow)}` },
        { type: 'mrkdwn', text: `*Status*\n${ICONS[summary.event]} ${escapeMrkdwn(summary.status)}` },
      ],
    },
    { type: 'section', text: { type: 'mrkdwn', text: fit(`*Reason*\n${escapeMrkdwn(summary.reason)}`) } },
  ];
  if (links.length) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: fit(`*Links*\n${links.map(link).join('\n')}`) } });
  if (summary.runId) blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: `run ${escapeMrkdwn(summary.runId)}` }] });
  return { text: `${summary.headline}: ${summary.reason.split('\n')[0]}`, blocks };
}

/** Slack's mrkdwn needs only these three escaped. */
function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** `<url|url>` for http(s) URLs; anything else as escaped text. */
function link(url: string): string {
  return /^https?:\/\/[^\s|<>]+$/.test(url) ? `<${url}|${escapeMrkdwn(url)}>` : escapeMrkdwn(url);
}

function fit(text: string): string {
  return text.length <= SECTION_CHARS ? text : `${text.slice(0, SECTION_CHARS - 1)}…`;
}
