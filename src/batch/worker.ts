/** A batch worker thread: runs the items it is sent and posts their results back. */
import { parentPort, workerData } from 'node:worker_threads';
import { runJobItem, type BatchJob } from './job.js';

const job = workerData as BatchJob;
parentPort?.on('message', (files: string[]) => {
  parentPort!.postMessage(files.map((f) => runJobItem(job, f)));
});
