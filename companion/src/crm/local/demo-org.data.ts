/** Word lists and geography the demo-org generator draws from. Plain data, no logic. */

// prettier-ignore
export const FIRST_NAMES = [
  'Aaron', 'Abigail', 'Adrian', 'Aisha', 'Akira', 'Alejandro', 'Alice', 'Amara', 'Andrea', 'Anika',
  'Arjun', 'Astrid', 'Beatriz', 'Bjorn', 'Camille', 'Carlos', 'Chen', 'Claire', 'Daniel', 'Dara',
  'David', 'Elena', 'Elif', 'Ethan', 'Fatima', 'Felix', 'Freya', 'Gabriel', 'Grace', 'Hana',
  'Hannah', 'Hugo', 'Ines', 'Ivan', 'Jack', 'James', 'Jana', 'Javier', 'Jin', 'Julia',
  'Kai', 'Karim', 'Kenji', 'Laura', 'Leila', 'Lena', 'Lucas', 'Maya', 'Mateo', 'Mia',
  'Mohammed', 'Nadia', 'Naomi', 'Nikhil', 'Nina', 'Omar', 'Oscar', 'Paula', 'Pedro', 'Rahul',
  'Rania', 'Ryan', 'Sakura', 'Sara', 'Sebastian', 'Sofia', 'Sven', 'Tariq', 'Thomas', 'Valentina',
  'Wei', 'William', 'Yuki', 'Zara',
];

// prettier-ignore
export const LAST_NAMES = [
  'Abe', 'Adeyemi', 'Alvarez', 'Andersen', 'Bauer', 'Becker', 'Bianchi', 'Brown', 'Castro', 'Chang',
  'Cohen', 'Costa', 'Dubois', 'Dunn', 'Eriksson', 'Evans', 'Fernandez', 'Garcia', 'Gupta', 'Hansen',
  'Hoffmann', 'Hughes', 'Ito', 'Iyer', 'Jensen', 'Johnson', 'Kaur', 'Khan', 'Kowalski', 'Kumar',
  'Larsen', 'Laurent', 'Lee', 'Lindqvist', 'Lopez', 'Meyer', 'Moreau', 'Murphy', 'Nakamura', 'Novak',
  'Okafor', 'Olsen', 'Park', 'Petrov', 'Quinn', 'Rao', 'Reyes', 'Ricci', 'Rossi', 'Sato',
  'Schmidt', 'Shah', 'Silva', 'Smith', 'Suzuki', 'Taylor', 'Thompson', 'Torres', 'Van Dijk', 'Wagner',
  'Walker', 'Wang', 'Weber', 'Williams', 'Wilson', 'Yamamoto', 'Yilmaz', 'Zhang',
];

// prettier-ignore
export const TITLES = [
  'CTO', 'CIO', 'VP Engineering', 'VP of IT', 'Director of Engineering', 'Head of Platform',
  'DevOps Engineer', 'Senior DevOps Engineer', 'Site Reliability Engineer', 'Software Engineer',
  'Senior Software Engineer', 'Engineering Manager', 'Security Engineer', 'CISO', 'IT Manager',
  'Release Manager', 'Platform Architect', 'Solutions Architect', 'Developer', 'QA Lead',
  'Product Manager', 'Procurement Manager', 'Student', 'Consultant', 'Founder',
];

export const INDUSTRIES = [
  'Technology',
  'Financial Services',
  'Healthcare',
  'Manufacturing',
  'Retail',
  'Education',
  'Government',
  'Telecommunications',
  'Media',
  'Energy',
  'Transportation',
  'Insurance',
];

/**
 * Company names are `[descriptor] prefix core` ("Global Falcon Logistics"), then, when an org is
 * bigger than those make, `[descriptor] prefix place core` ("Cedar Point Foods") and
 * `surname & surname core` ("Okafor & Lindqvist Consulting"): 1.7 million names in all.
 */
// prettier-ignore
export const NAME_PREFIXES = [
  'Acme', 'Apex', 'Atlas', 'Beacon', 'Cascade', 'Cedar', 'Cobalt', 'Copper', 'Crescent', 'Delta',
  'Drift', 'Eagle', 'Ember', 'Evergreen', 'Falcon', 'Fjord', 'Granite', 'Harbor', 'Helix', 'Horizon',
  'Iron', 'Juniper', 'Keystone', 'Lattice', 'Lumen', 'Maple', 'Meridian', 'Nimbus', 'Northwind', 'Nova',
  'Oak', 'Onyx', 'Orbit', 'Pacific', 'Pinnacle', 'Polar', 'Quantum', 'Quartz', 'Raven', 'Redwood',
  'Ridge', 'River', 'Sable', 'Sage', 'Sierra', 'Silver', 'Solar', 'Spruce', 'Summit', 'Tidal',
  'Titan', 'Tundra', 'Union', 'Vantage', 'Vertex', 'Violet', 'Willow', 'Zenith', 'Brown', 'Bright',
];

// prettier-ignore
export const NAME_DESCRIPTORS = [
  'Global', 'Digital', 'United', 'First', 'Next', 'Smart', 'Prime', 'Open', 'True', 'Blue',
  'Green', 'Golden', 'Swift', 'Clear', 'Deep', 'High', 'New', 'Alpha', 'Grand', 'Royal',
];

/** The second word of a two-word name: never a prefix or a core, so no name is read two ways. */
// prettier-ignore
export const NAME_PLACES = [
  'Bay', 'Brook', 'Bridge', 'Creek', 'Crest', 'Field', 'Forge', 'Gate', 'Glen', 'Grove',
  'Haven', 'Hill', 'Hollow', 'Island', 'Lake', 'Meadow', 'Mesa', 'Mill', 'Park', 'Peak',
  'Point', 'Rock', 'Shore', 'Springs', 'Stone', 'Valley', 'View', 'Vista', 'Wharf', 'Wood',
];

// prettier-ignore
export const NAME_CORES = [
  'Analytics', 'Bank', 'Biotech', 'Capital', 'Chemicals', 'Cloud', 'Consulting', 'Data', 'Devices', 'Dynamics',
  'Education', 'Energy', 'Farms', 'Foods', 'Foundry', 'Freight', 'Games', 'Group', 'Health', 'Hospitality',
  'Industries', 'Instruments', 'Insurance', 'Labs', 'Logistics', 'Materials', 'Media', 'Mining', 'Motors', 'Networks',
  'Pharma', 'Retail', 'Robotics', 'Security', 'Software', 'Systems', 'Telecom', 'Textiles', 'Travel', 'Works',
];

export interface Place {
  city: string;
  state: string | null;
  /** Leading digits of its postal codes. */
  postal: string;
}

export interface Country {
  name: string;
  region: 'AMER' | 'EMEA' | 'APJ';
  tld: string;
  legalForms: string[];
  places: Place[];
}

/** The Bay Area technology hub the blueprint's first round-robin pool covers. */
export const BAY_AREA: Place[] = [
  { city: 'San Francisco', state: 'CA', postal: '941' },
  { city: 'Palo Alto', state: 'CA', postal: '943' },
  { city: 'Mountain View', state: 'CA', postal: '940' },
  { city: 'San Jose', state: 'CA', postal: '951' },
];

export const COUNTRIES: Country[] = [
  {
    name: 'United States',
    region: 'AMER',
    tld: 'com',
    legalForms: ['Inc.', 'LLC', 'Corp.', 'Corporation'],
    places: [
      { city: 'New York', state: 'NY', postal: '100' },
      { city: 'Austin', state: 'TX', postal: '787' },
      { city: 'Dallas', state: 'TX', postal: '752' },
      { city: 'Seattle', state: 'WA', postal: '981' },
      { city: 'Boston', state: 'MA', postal: '021' },
      { city: 'Chicago', state: 'IL', postal: '606' },
      { city: 'Atlanta', state: 'GA', postal: '303' },
      { city: 'Denver', state: 'CO', postal: '802' },
      { city: 'Los Angeles', state: 'CA', postal: '900' },
      { city: 'San Diego', state: 'CA', postal: '921' },
    ],
  },
  {
    name: 'Canada',
    region: 'AMER',
    tld: 'ca',
    legalForms: ['Ltd.', 'Inc.'],
    places: [
      { city: 'Toronto', state: 'ON', postal: 'M5V' },
      { city: 'Vancouver', state: 'BC', postal: 'V6B' },
      { city: 'Montreal', state: 'QC', postal: 'H2Y' },
    ],
  },
  {
    name: 'Brazil',
    region: 'AMER',
    tld: 'com.br',
    legalForms: ['Ltda'],
    places: [{ city: 'São Paulo', state: 'SP', postal: '010' }],
  },
  {
    name: 'Mexico',
    region: 'AMER',
    tld: 'com.mx',
    legalForms: ['S.A. de C.V.'],
    places: [{ city: 'Mexico City', state: 'CDMX', postal: '06' }],
  },
  {
    name: 'Germany',
    region: 'EMEA',
    tld: 'de',
    legalForms: ['GmbH', 'AG'],
    places: [
      { city: 'Berlin', state: null, postal: '10' },
      { city: 'Munich', state: null, postal: '80' },
      { city: 'Hamburg', state: null, postal: '20' },
    ],
  },
  {
    name: 'United Kingdom',
    region: 'EMEA',
    tld: 'co.uk',
    legalForms: ['Ltd', 'PLC'],
    places: [
      { city: 'London', state: null, postal: 'EC1' },
      { city: 'Manchester', state: null, postal: 'M1' },
    ],
  },
  {
    name: 'France',
    region: 'EMEA',
    tld: 'fr',
    legalForms: ['SAS', 'S.A.'],
    places: [
      { city: 'Paris', state: null, postal: '75' },
      { city: 'Lyon', state: null, postal: '69' },
    ],
  },
  {
    name: 'Netherlands',
    region: 'EMEA',
    tld: 'nl',
    legalForms: ['B.V.', 'N.V.'],
    places: [
      { city: 'Amsterdam', state: null, postal: '10' },
      { city: 'Utrecht', state: null, postal: '35' },
    ],
  },
  {
    name: 'Ireland',
    region: 'EMEA',
    tld: 'ie',
    legalForms: ['Ltd'],
    places: [{ city: 'Dublin', state: null, postal: 'D02' }],
  },
  {
    name: 'Spain',
    region: 'EMEA',
    tld: 'es',
    legalForms: ['S.L.', 'S.A.'],
    places: [
      { city: 'Madrid', state: null, postal: '28' },
      { city: 'Barcelona', state: null, postal: '08' },
    ],
  },
  {
    name: 'Italy',
    region: 'EMEA',
    tld: 'it',
    legalForms: ['S.p.A.', 'S.r.l.'],
    places: [{ city: 'Milan', state: null, postal: '20' }],
  },
  {
    name: 'Sweden',
    region: 'EMEA',
    tld: 'se',
    legalForms: ['AB'],
    places: [{ city: 'Stockholm', state: null, postal: '111' }],
  },
  {
    name: 'Denmark',
    region: 'EMEA',
    tld: 'dk',
    legalForms: ['A/S', 'ApS'],
    places: [{ city: 'Copenhagen', state: null, postal: '1' }],
  },
  {
    name: 'Israel',
    region: 'EMEA',
    tld: 'co.il',
    legalForms: ['Ltd'],
    places: [{ city: 'Tel Aviv', state: null, postal: '6' }],
  },
  {
    name: 'South Africa',
    region: 'EMEA',
    tld: 'co.za',
    legalForms: ['(Pty) Ltd'],
    places: [{ city: 'Cape Town', state: null, postal: '80' }],
  },
  {
    name: 'Japan',
    region: 'APJ',
    tld: 'co.jp',
    legalForms: ['K.K.'],
    places: [
      { city: 'Tokyo', state: null, postal: '100' },
      { city: 'Osaka', state: null, postal: '530' },
    ],
  },
  {
    name: 'Australia',
    region: 'APJ',
    tld: 'com.au',
    legalForms: ['Pty Ltd'],
    places: [
      { city: 'Sydney', state: 'NSW', postal: '2000' },
      { city: 'Melbourne', state: 'VIC', postal: '3000' },
    ],
  },
  {
    name: 'India',
    region: 'APJ',
    tld: 'in',
    legalForms: ['Pvt Ltd'],
    places: [
      { city: 'Bengaluru', state: 'KA', postal: '560' },
      { city: 'Mumbai', state: 'MH', postal: '400' },
    ],
  },
  {
    name: 'Singapore',
    region: 'APJ',
    tld: 'com.sg',
    legalForms: ['Pte Ltd'],
    places: [{ city: 'Singapore', state: null, postal: '01' }],
  },
  {
    name: 'South Korea',
    region: 'APJ',
    tld: 'co.kr',
    legalForms: ['Co., Ltd.'],
    places: [{ city: 'Seoul', state: null, postal: '04' }],
  },
  {
    name: 'New Zealand',
    region: 'APJ',
    tld: 'co.nz',
    legalForms: ['Limited'],
    places: [{ city: 'Auckland', state: null, postal: '10' }],
  },
];

export const FREE_MAIL_DOMAINS = [
  'gmail.com',
  'yahoo.com',
  'outlook.com',
  'hotmail.com',
  'icloud.com',
  'proton.me',
  'gmx.de',
  'yahoo.co.jp',
  'qq.com',
];
