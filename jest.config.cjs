const { jestConfig } = require('@salesforce/sfdx-lwc-jest/config');

module.exports = {
  ...jestConfig,
  roots: ['<rootDir>/force-app'],
  modulePathIgnorePatterns: ['<rootDir>/.localdevserver'],
  // Platform modules sfdx-lwc-jest does not stub; each mocked once, here.
  moduleNameMapper: {
    '^lightning/actions$': '<rootDir>/force-app/test/jest-mocks/lightning/actions',
    '^lightning/navigation$': '<rootDir>/force-app/test/jest-mocks/lightning/navigation',
    // Shared test helpers, imported as 'test-utils/flushPromises' instead of a long relative path.
    '^test-utils/(.*)$': '<rootDir>/force-app/test/utils/$1',
  },
  // Registers `expect(element).toBeAccessible()` (axe rules via @sa11y/jest).
  setupFilesAfterEnv: [
    ...(jestConfig.setupFilesAfterEnv || []),
    '<rootDir>/force-app/test/jest-sa11y-setup.js',
    '<rootDir>/force-app/test/jest-labels-setup.js',
  ],
};
