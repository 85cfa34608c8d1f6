import { buildLinksCsv } from '../domain/links-csv.js';
import { type Month, monthBounds, monthKey } from '../domain/month.js';
import { linkReportTexts } from '../i18n/link-reports.js';
import { sandboxed } from '../i18n/messages.js';
import { directMessageChannel, respondQuietly } from '../slack/delivery.js';
import { slackErrorCode, slackRefusesApp } from '../slack/errors.js';
import { type Asker, monthName, type ReportFlowContext } from './link-reports.js';

/**
 * `/paylink export <YYYY-MM>` for an admin: every link created that month (in the deployment's time zone) as a
 * CSV file, uploaded to the admin's DM with paylink through Slack's external upload: an upload URL, the bytes
 * POSTed there, then the upload completed in the DM. The admin is told privately how it went.
 */
export async function exportMonth(ctx: ReportFlowContext, admin: Asker, month: Month): Promise<void> {
  const t = linkReportTexts(ctx.config.locale);
  const { from, until } = monthBounds(month, ctx.timeZone);
  const name = monthName(ctx, from);
  const tell = (text: string) =>
    respondQuietly(ctx, admin.responseUrl, { text: sandboxed(text, ctx.sandbox), response_type: 'ephemeral' });
  let links: Awaited<ReturnType<typeof ctx.ledger.linksCreatedBetween>>;
  try {
    links = await ctx.ledger.linksCreatedBetween(from, until);
  } catch (error) {
    ctx.logger.error({ event: 'report_failed', report: 'export', user: admin.user, error });
    await tell(t.unavailable);
    return;
  }
  if (links.length === 0) {
    await tell(t.exportNothing(name));
    return;
  }
  const bytes = Buffer.from(buildLinksCsv(links, { locale: ctx.config.locale, timeZone: ctx.timeZone }), 'utf8');
  // A trial file downloaded and passed on must still say it is one: its name and title, not only the DM's comment.
  const filename = `paylink-${ctx.sandbox ? 'sandbox-' : ''}${monthKey(month)}.csv`;
  try {
    const { upload_url: uploadUrl, file_id: fileId } = await ctx.slack.files.getUploadURLExternal({
      filename,
      length: bytes.length,
    });
    if (!uploadUrl || !fileId) throw new Error('files.getUploadURLExternal returned no upload_url or file_id');
    await ctx.slack.files.upload(uploadUrl, bytes);
    await ctx.slack.files.completeUploadExternal({
      files: [{ id: fileId, title: sandboxed(t.exportTitle(name), ctx.sandbox) }],
      channel_id: await directMessageChannel(ctx, admin.user),
      initial_comment: sandboxed(t.exportComment(name, links.length), ctx.sandbox),
    });
  } catch (error) {
    const code = slackErrorCode(error);
    ctx.logger.error({ event: 'export_failed', month: monthKey(month), user: admin.user, error: code });
    // Refused for good, the upload fails again however often it is asked: the app must be reinstalled.
    await tell(slackRefusesApp(code) ? t.exportRefused(name) : t.exportFailed(name));
    return;
  }
  ctx.logger.info({
    event: 'export_sent',
    month: monthKey(month),
    user: admin.user,
    links: links.length,
    bytes: bytes.length,
  });
  await tell(t.exportDone(name, links.length));
}
