/** Runs once when the server starts: open (and migrate) the database, then start the reaper. */
export async function register() {
  if (process.env.NEXT_RUNTIME !== 'nodejs') return;
  const { getHub } = await import('./lib/server/hub');
  const { startReaper } = await import('./lib/server/reaper');
  startReaper(getHub());
}
