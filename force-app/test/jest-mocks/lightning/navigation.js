/**
 * Stands in for lightning/navigation: GenerateUrl answers the record's Lightning address, and Navigate
 * records the page reference it was given, for `getNavigateCalledWith()`.
 */
import { createTestWireAdapter } from '@salesforce/wire-service-jest-util';

export const CurrentPageReference = createTestWireAdapter(jest.fn());

let lastPageReference;

/** The page reference of the last Navigate call, or undefined. */
export const getNavigateCalledWith = () => lastPageReference;

const Navigate = Symbol('Navigate');
const GenerateUrl = Symbol('GenerateUrl');
export const NavigationMixin = (Base) =>
  class extends Base {
    [Navigate](pageReference) {
      lastPageReference = pageReference;
    }

    [GenerateUrl](pageReference) {
      const { objectApiName, recordId, actionName } = pageReference.attributes;
      return Promise.resolve(`/lightning/r/${objectApiName}/${recordId}/${actionName}`);
    }
  };
NavigationMixin.Navigate = Navigate;
NavigationMixin.GenerateUrl = GenerateUrl;
