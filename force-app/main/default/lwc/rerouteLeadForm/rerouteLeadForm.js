import { LightningElement, api } from 'lwc';
import WORKING from '@salesforce/label/c.Switchyard_Reroute_Working';
import ACCESS_ERROR from '@salesforce/label/c.Switchyard_Reroute_Access_Error';
import NO_PERMISSION from '@salesforce/label/c.Switchyard_Reroute_No_Permission';
import CHECKING from '@salesforce/label/c.Switchyard_Reroute_Checking';
import EXPLANATION from '@salesforce/label/c.Switchyard_Reroute_Explanation';
import RULES_HEADING from '@salesforce/label/c.Switchyard_Reroute_Rules_Heading';
import RULE_MQL from '@salesforce/label/c.Switchyard_Reroute_Rule_MQL';
import RULE_HIGH_PRIORITY from '@salesforce/label/c.Switchyard_Reroute_Rule_High_Priority';
import RULE_WORKING from '@salesforce/label/c.Switchyard_Reroute_Rule_Working';
import RULE_APJ from '@salesforce/label/c.Switchyard_Reroute_Rule_APJ';
import REASON from '@salesforce/label/c.Switchyard_Reroute_Reason';
import FAILED from '@salesforce/label/c.Switchyard_Reroute_Failed';

/**
 * The body of the re-route dialog: what re-routing does and the rules that refuse it (in the words of
 * the re-route flow's branches, companion/flows/reroute.flow.yaml; test/metadata/reroute-dialog-rules.test.ts
 * keeps them in step) and the reason field; or why the user cannot re-route, and what went wrong last
 * time. `rerouteLead` frames it as a quick action or inline.
 */
export default class RerouteLeadForm extends LightningElement {
  @api working = false;
  @api accessProblem;
  @api noPermission = false;
  @api showForm = false;
  @api checkingAccess = false;
  @api error;
  @api reason = '';

  label = {
    WORKING,
    ACCESS_ERROR,
    NO_PERMISSION,
    CHECKING,
    EXPLANATION,
    RULES_HEADING,
    RULE_MQL,
    RULE_HIGH_PRIORITY,
    RULE_WORKING,
    RULE_APJ,
    REASON,
    FAILED,
  };

  handleReasonChange(event) {
    this.dispatchEvent(new CustomEvent('reasonchange', { detail: { value: event.target.value } }));
  }
}
