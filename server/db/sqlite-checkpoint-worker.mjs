// Copies the SQLite write-ahead log back into the database file, on a thread
// of its own, so that the server's thread never pays for it inside a commit.
// Plain JavaScript: it needs no TypeScript loader.
import { parentPort, workerData } from 'node:worker_threads';
import Sqlite from 'better-sqlite3';

const { file, intervalMs } = workerData;
const database = new Sqlite(file);
// PASSIVE never waits for the writer or for readers: it copies what it can now
const checkpoint = () => {
  try {
    database.pragma('wal_checkpoint(PASSIVE)');
  } catch (error) {
    parentPort.postMessage({ error: String(error) });
  }
};
const timer = setInterval(checkpoint, intervalMs);
parentPort.on('message', (message) => {
  if (message !== 'stop') return;
  clearInterval(timer);
  checkpoint();
  database.close();
  parentPort.close();
});
