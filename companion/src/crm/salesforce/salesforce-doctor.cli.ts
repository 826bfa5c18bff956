/** `npm run doctor`: checks the Salesforce settings and the org, and prints what to fix. */
import { runDoctor } from './salesforce-doctor.command.js';

process.exitCode = await runDoctor(process.env, (line) => console.log(line));
