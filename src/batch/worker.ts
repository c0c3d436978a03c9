/** A batch worker thread: runs the items it is sent and posts their results back. */
import { parentPort, workerData } from 'node:worker_threads';
import { runJobItem, type BatchJob } from './job.js';

const job = workerData as BatchJob;
/** [start, end): indexes into job.files */
parentPort?.on('message', ([start, end]: [number, number]) => {
  const results = [];
  for (let i = start; i < end; i++) results.push(runJobItem(job, i));
  parentPort!.postMessage(results);
});
