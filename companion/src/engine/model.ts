/**
 * The records routing reads and writes, named as Salesforce names them (API field names), so a
 * flow written against the demo org reads the same fields in a customer's org.
 */

/** A Salesforce record: an Id plus fields by API name. Unknown custom fields are allowed. */
export interface SfRecord {
  Id: string;
  [field: string]: unknown;
}

export interface LeadRecord extends SfRecord {
  FirstName?: string | null;
  LastName?: string | null;
  Title?: string | null;
  Email?: string | null;
  Company?: string | null;
  Website?: string | null;
  Country?: string | null;
  State?: string | null;
  City?: string | null;
  PostalCode?: string | null;
  NumberOfEmployees?: number | null;
  Industry?: string | null;
  LeadSource?: string | null;
  Status?: string | null;
  OwnerId?: string | null;
  IsConverted?: boolean;
  CreatedDate?: string | null;
  LastActivityDate?: string | null;
  Lead_Acquisition_Source__c?: string | null;
  Impartner_Partner_Account__c?: string | null;
  Partner_Recalled__c?: boolean;
  Partner_Recalled_Date__c?: string | null;
  Partner_Share_Status__c?: string | null;
  Partner_Lead_Status__c?: string | null;
  Prospect_Share_Status__c?: string | null;
  Partner_Prospect_Status__c?: string | null;
  Actively_Being_Sequenced__c?: boolean;
  AI_Email_In_Progress__c?: boolean;
  High_Priority__c?: boolean;
  Rerun_Routing__c?: boolean;
  /** In the Hopper ("Hopper and Assign To"): with a named owner, or with the Hopper queue as owner. */
  In_Hopper__c?: boolean;
  Matched_Account__c?: string | null;
  Last_Routing_Flow__c?: string | null;
  Last_Routed_At__c?: string | null;
  Routing_Reason__c?: string | null;
}

export interface AccountRecord extends SfRecord {
  Name: string;
  Website?: string | null;
  /** Customer, Target, Partner, Consultant, Non-Target, Prospect. */
  Type?: string | null;
  OwnerId?: string | null;
  BDR_Assigned__c?: string | null;
  /** 'Actively Working' when the BDR is prospecting the account. */
  BDR_Prospecting_Status__c?: string | null;
  Segment__c?: string | null;
  Customer_Success_Manager__c?: string | null;
  BillingCountry?: string | null;
  BillingState?: string | null;
  BillingCity?: string | null;
  Industry?: string | null;
  NumberOfEmployees?: number | null;
  LastActivityDate?: string | null;
}

export interface ContactRecord extends SfRecord {
  AccountId?: string | null;
  OwnerId?: string | null;
  FirstName?: string | null;
  LastName?: string | null;
  Email?: string | null;
}

export interface OpportunityRecord extends SfRecord {
  AccountId: string;
  Name?: string;
  StageName: string;
  IsClosed?: boolean;
  OwnerId?: string | null;
  Amount?: number | null;
  CloseDate?: string | null;
}

export interface CampaignRecord extends SfRecord {
  Name: string;
  Type?: string | null;
  IsActive?: boolean;
  /** "Will there be MDF funding": 'Yes' or 'No'. */
  MDF_Funding__c?: string | null;
  /** "Is a Channel Partner Involved?": 'Yes' or 'No'. */
  Channel_Partner_Involved__c?: string | null;
}

export interface CampaignMemberRecord extends SfRecord {
  CampaignId: string;
  LeadId?: string | null;
  Status?: string | null;
  CreatedDate?: string | null;
}

/** A weekly working window in the user's own time zone; days are 1 (Monday) … 7 (Sunday). */
export interface WorkingHours {
  days: number[];
  /** 'HH:MM', inclusive. */
  start: string;
  /** 'HH:MM', exclusive. */
  end: string;
}

export interface UserRecord extends SfRecord {
  Name: string;
  IsActive: boolean;
  /** The login name, unique across Salesforce; routing sets name people by it or by Email. */
  Username?: string | null;
  Email?: string | null;
  /** IANA time zone, as Salesforce's TimeZoneSidKey. */
  TimeZoneSidKey?: string | null;
  /** SDR, BDR, AE, SMB, CSM, Leadership, Integration. */
  Role__c?: string | null;
  /** AMER, EMEA, APJ. */
  Region__c?: string | null;
  ProfileName?: string | null;
  /** ISO timestamp; out of office until then. */
  Out_Of_Office_Until__c?: string | null;
  WorkingHours?: WorkingHours | null;
  /** Holds the Switchyard_Reroute custom permission (through a permission set); not a Salesforce field. */
  HasReroutePermission?: boolean;
  /** Holds the Switchyard_Admin custom permission (the Switchyard Admin permission set); not a Salesforce field. */
  HasAdminPermission?: boolean;
}

export interface QueueRecord extends SfRecord {
  Name: string;
  /** The queue's unique API name (Group.DeveloperName); routing sets name queues by it. */
  DeveloperName?: string | null;
  /** Lead is among the queue's supported objects (a QueueSobject row); not a Salesforce field. */
  TakesLeads?: boolean;
  /** Users who work the queue (Salesforce GroupMember). */
  MemberIds?: string[];
}

/** What started routing. `changedFields` and `previous` are set for updates. */
export interface Trigger {
  kind: 'created' | 'updated' | 'campaign-member' | 'reroute' | 'scheduled' | 'inactive-owner' | 'sla';
  changedFields?: string[];
  previous?: Partial<LeadRecord>;
  /** Free text a person gave, e.g. the reason for a re-route. */
  reason?: string | null;
  /** The Salesforce user who asked, when a person asked. */
  actorId?: string | null;
  /** For scheduled runs: the job's name. */
  job?: string | null;
  /** For an SLA step that moves the lead: the policy, the step (its index) and the pool that assigned it. */
  sla?: { policy: string; step: number; pool: string | null } | null;
  /** Users who must not get the lead, e.g. the owners who let its SLA lapse. */
  exclude?: string[] | null;
}

/** A campaign membership with its campaign, as routing sees it. */
export interface Membership {
  member: CampaignMemberRecord;
  campaign: CampaignRecord;
}
