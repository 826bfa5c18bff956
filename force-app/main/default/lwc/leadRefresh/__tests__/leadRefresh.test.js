import { refreshApex } from '@salesforce/apex';
import { notifyRecordUpdateAvailable } from 'lightning/uiRecordApi';
import { publish, subscribe, unsubscribe } from 'lightning/messageService';
import { announceLeadChanged, announceRouting, LeadFollower, refreshWired } from 'c/leadRefresh';

const RECORD = require('./data/getRecord.json');
const RECORD_REROUTED = require('./data/getRecordRerouted.json');

jest.mock('@salesforce/apex', () => ({ refreshApex: jest.fn(() => Promise.resolve()) }), { virtual: true });

const LEAD = RECORD.id;
const CONTEXT = { context: 'lead page' };

describe('c-lead-refresh', () => {
  afterEach(() => {
    jest.clearAllMocks();
  });

  describe('LeadFollower', () => {
    it('refreshes when the lead’s fields change after the first read, not on the first read or the same read again', () => {
      const refresh = jest.fn();
      const follower = new LeadFollower(refresh);
      follower.recordRead(undefined);
      follower.recordRead(RECORD);
      follower.recordRead(RECORD);
      expect(refresh).not.toHaveBeenCalled();
      follower.recordRead(RECORD_REROUTED);
      expect(refresh).toHaveBeenCalledTimes(1);
      follower.recordRead(RECORD_REROUTED);
      expect(refresh).toHaveBeenCalledTimes(1);
    });

    it('refreshes on a routing message about its lead, even a refusal, and not about another lead', () => {
      const refresh = jest.fn();
      let leadId = LEAD;
      const follower = new LeadFollower(refresh);
      follower.listen(CONTEXT, () => leadId);
      const [context, channel, listener] = subscribe.mock.calls[0];
      expect(context).toBe(CONTEXT);
      expect(channel).toBe('Switchyard_Routing__c');
      listener({ leadId: '00QAM0000009999AAA', outcome: 'assigned' });
      listener(undefined);
      expect(refresh).not.toHaveBeenCalled();
      listener({ leadId: LEAD, outcome: 'refused' });
      expect(refresh).toHaveBeenCalledTimes(1);
      // The page moved to another lead: the follower asks which lead at each message.
      leadId = '00QAM0000009999AAA';
      listener({ leadId: '00QAM0000009999AAA', outcome: 'assigned' });
      expect(refresh).toHaveBeenCalledTimes(2);
    });

    it('stops listening when its component leaves the page', () => {
      subscribe.mockReturnValueOnce({ id: 'subscription' });
      const follower = new LeadFollower(jest.fn());
      follower.listen(CONTEXT, () => LEAD);
      follower.stop();
      expect(unsubscribe).toHaveBeenCalledWith({ id: 'subscription' });
    });
  });

  it('reads a wired result again once the wire has answered, and does nothing before', async () => {
    await refreshWired(undefined);
    expect(refreshApex).not.toHaveBeenCalled();
    const wired = { data: { items: [] } };
    await refreshWired(wired);
    expect(refreshApex).toHaveBeenCalledWith(wired);
  });

  it('has Lightning Data Service re-read a changed lead, then tells the other components', async () => {
    await announceLeadChanged(CONTEXT, LEAD, 'assigned');
    expect(notifyRecordUpdateAvailable).toHaveBeenCalledWith([{ recordId: LEAD }]);
    expect(publish).toHaveBeenCalledWith(CONTEXT, 'Switchyard_Routing__c', {
      leadId: LEAD,
      outcome: 'assigned',
    });
  });

  it('tells the other components of a refusal without re-reading the lead', () => {
    announceRouting(CONTEXT, LEAD, 'refused');
    expect(publish).toHaveBeenCalledWith(CONTEXT, 'Switchyard_Routing__c', {
      leadId: LEAD,
      outcome: 'refused',
    });
    expect(notifyRecordUpdateAvailable).not.toHaveBeenCalled();
  });
});
