import { formatDate, formatDateTime, ownerLabel, reduceErrors, toProblem } from 'c/switchyardService';

const APEX_ERROR = {
  status: 500,
  body: {
    message: JSON.stringify({
      code: 'LEAD_NOT_ELIGIBLE',
      message: 'This lead is matched to Acme Corp, whose BDR Dana Ruiz is actively working the account.',
      action: 'Ask Dana Ruiz to take the lead.',
      status: 409,
    }),
  },
};

describe('c-switchyard-service', () => {
  describe('toProblem', () => {
    it("reads SwitchyardController's structured AuraHandledException", () => {
      expect(toProblem(APEX_ERROR)).toEqual({
        code: 'LEAD_NOT_ELIGIBLE',
        message: 'This lead is matched to Acme Corp, whose BDR Dana Ruiz is actively working the account.',
        action: 'Ask Dana Ruiz to take the lead.',
        status: 409,
      });
    });

    it("reads the companion's own error body, as the local preview receives it", () => {
      const error = {
        status: 403,
        body: {
          error: { code: 'FORBIDDEN', message: 'You may not re-route this lead.', action: 'Ask RevOps.' },
        },
      };
      expect(toProblem(error)).toEqual({
        code: 'FORBIDDEN',
        message: 'You may not re-route this lead.',
        action: 'Ask RevOps.',
        status: 403,
      });
      expect(toProblem({ error: { code: 'NOT_FOUND', message: 'No such lead.', action: '' } }).code).toBe(
        'NOT_FOUND',
      );
    });

    it('reads plain Apex, Lightning Data Service, JavaScript and string errors', () => {
      expect(toProblem({ body: { message: 'List has no rows for assignment' } }).message).toBe(
        'List has no rows for assignment',
      );
      expect(toProblem({ body: [{ message: 'First.' }, { message: 'Second.' }] }).message).toBe(
        'First. Second.',
      );
      expect(toProblem({ body: { pageErrors: [{ message: 'Record locked.' }] } }).message).toBe(
        'Record locked.',
      );
      const jsProblem = toProblem(new TypeError('x is undefined'));
      expect(jsProblem.message).toBe('x is undefined');
      expect(jsProblem.action).toContain('Salesforce admin');
      expect(toProblem('Offline').message).toBe('Offline');
    });

    it('never leaves a person without a message', () => {
      expect(toProblem({}).message).toBe('Something went wrong.');
      expect(toProblem(undefined).message).toBe('Something went wrong.');
    });
  });

  describe('reduceErrors', () => {
    it('gives one sentence per error, problem then next step, and skips empty entries', () => {
      expect(reduceErrors([APEX_ERROR, null, 'Offline'])).toEqual([
        'This lead is matched to Acme Corp, whose BDR Dana Ruiz is actively working the account. Ask Dana Ruiz to take the lead.',
        'Offline',
      ]);
      expect(reduceErrors(undefined)).toEqual([]);
    });
  });

  describe('formatting', () => {
    it("formats dates and times in the user's locale and time zone", () => {
      expect(formatDateTime('2026-03-12T15:04:05Z')).toBe('Mar 12, 2026, 8:04 AM');
      expect(formatDate('2026-03-12T05:00:00Z')).toBe('Mar 11, 2026');
    });

    it('keeps a calendar date on its day whatever the time zone', () => {
      expect(formatDate('2026-03-03')).toBe('Mar 3, 2026');
    });

    it('gives an empty string for missing or unreadable dates', () => {
      expect(formatDate(null)).toBe('');
      expect(formatDateTime('not a date')).toBe('');
    });

    it('names users plainly and marks queues', () => {
      expect(ownerLabel({ id: '005', name: 'Maya Chen', kind: 'user' })).toBe('Maya Chen');
      expect(ownerLabel({ id: '00G', name: 'Partner Queue', kind: 'queue' })).toBe('Partner Queue (queue)');
      expect(ownerLabel(null)).toBe('');
    });
  });
});
