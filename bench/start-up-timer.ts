// The start-up bench's timer, a child of the bench (daemon-start-up.ts): it spawns the daemons
// (or `node -e 0`) and times them, holding nothing large itself, so that what the bench
// holds does not weigh on spawning. Prints its result as JSON.
//   node start-up-timer.js floor            median ms of `node -e 0`
//   node start-up-timer.js starts '<job>'   medians of a prepared store's starts (TimedStarts)
import { nodeFloorHere, timeStartsHere, type TimedStarts } from './daemon-start-up.js';

const [what, job] = process.argv.slice(2);
if (what === 'floor') {
  console.log(JSON.stringify(await nodeFloorHere()));
} else if (what === 'starts' && job !== undefined) {
  console.log(JSON.stringify(await timeStartsHere(JSON.parse(job) as TimedStarts)));
} else {
  console.error('usage: start-up-timer.js floor | starts <job as JSON>');
  process.exit(2);
}
