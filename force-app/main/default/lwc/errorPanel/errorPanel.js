import { LightningElement, api } from 'lwc';
import ERROR from '@salesforce/label/c.Switchyard_Error_Icon';
import { toProblems } from 'c/switchyardService';

/**
 * Shows what went wrong and what to do next, for one error or a list of them, in any shape
 * switchyardService understands. Announced to screen readers as an alert.
 */
export default class ErrorPanel extends LightningElement {
  /** A heading above the problems, e.g. "The matched leads could not be loaded". */
  @api title;
  /** One error or a list of errors (Apex, companion, LDS or JavaScript). */
  @api errors;

  label = { ERROR };

  get problems() {
    return toProblems(this.errors);
  }

  get hasProblems() {
    return this.problems.length > 0;
  }
}
