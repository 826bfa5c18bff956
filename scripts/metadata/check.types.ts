/** What one offline check found. `problems` empty means the check passed. */
export interface CheckResult {
  name: string;
  /** One line saying what was checked, e.g. "41 files, 38 components". */
  summary: string;
  /** Each problem names the file and what is wrong with it. */
  problems: string[];
  /** Set when the check could not run on this machine (e.g. no Java); never set to hide problems. */
  skipped?: string;
}
