import type { QueueRecord, UserRecord } from '../model.js';
import { KEY_PREFIX, toId18 } from '../salesforce-id.js';
import { suggest, type PathSegment, type SourceIssue, type YamlSource } from './yaml-source.js';

/**
 * What a name in a routing set came to: the record's 18-character Id (with a warning when routing will
 * pass over it, an inactive user), or why it names nobody and what to do.
 */
export type Resolution = { ok: true; id: string; warning?: string } | { ok: false; message: string };

/**
 * The org's users and queues as routing sets name them: a person by username or email (or user Id,
 * 15 or 18 characters), a queue by DeveloperName (or Id). Usernames are unique across Salesforce and,
 * like emails, compared without case (Object Reference, "User": Username); DeveloperName is unique
 * among an org's groups and queues (Object Reference, "Group").
 */
export class OrgPeople {
  private readonly usersById = new Map<string, UserRecord>();
  private readonly usersByUsername = new Map<string, UserRecord>();
  private readonly usersByEmail = new Map<string, UserRecord[]>();
  private readonly queuesById = new Map<string, QueueRecord>();
  private readonly queuesByDeveloperName = new Map<string, QueueRecord>();
  private readonly queuesByLabel = new Map<string, QueueRecord>();

  constructor(users: Iterable<UserRecord>, queues: Iterable<QueueRecord>) {
    for (const user of users) {
      this.usersById.set(user.Id, user);
      if (user.Username) this.usersByUsername.set(user.Username.toLowerCase(), user);
      if (user.Email) {
        const key = user.Email.toLowerCase();
        this.usersByEmail.set(key, [...(this.usersByEmail.get(key) ?? []), user]);
      }
    }
    for (const queue of queues) {
      this.queuesById.set(queue.Id, queue);
      if (queue.DeveloperName) this.queuesByDeveloperName.set(queue.DeveloperName.toLowerCase(), queue);
      this.queuesByLabel.set(queue.Name.toLowerCase(), queue);
    }
  }

  user(written: string): Resolution {
    const id = toId18(written);
    if (id && written.startsWith(KEY_PREFIX.user)) {
      const user = this.usersById.get(id);
      return user
        ? this.found(user, written)
        : {
            ok: false,
            message: `no user with Id ${written} in this org: name the person by username or email, or correct the Id`,
          };
    }
    const key = written.toLowerCase();
    const byUsername = this.usersByUsername.get(key);
    if (byUsername) return this.found(byUsername, written);
    const byEmail = this.usersByEmail.get(key) ?? [];
    const active = byEmail.filter((u) => u.IsActive);
    if (byEmail.length === 1 || active.length === 1) return this.found(active[0] ?? byEmail[0]!, written);
    if (byEmail.length > 1) {
      const usernames = (active.length > 1 ? active : byEmail).map((u) => u.Username ?? u.Id).join(', ');
      return {
        ok: false,
        message: `${byEmail.length} users have the email ${written} (${usernames}): name the person by username`,
      };
    }
    const usernames = [...this.usersByUsername.values()].map((u) => u.Username!);
    return {
      ok: false,
      message: `no user with username or email '${written}' in this org: correct it, or create the user (Setup → Users)${suggest(written, usernames)}`,
    };
  }

  queue(written: string): Resolution {
    const id = toId18(written);
    const queue =
      id && written.startsWith(KEY_PREFIX.queue)
        ? this.queuesById.get(id)
        : this.queuesByDeveloperName.get(written.toLowerCase());
    if (!queue) {
      const labelled = this.queuesByLabel.get(written.toLowerCase());
      if (labelled?.DeveloperName && labelled.DeveloperName !== written) {
        return {
          ok: false,
          message: `'${written}' is the label of queue ${labelled.DeveloperName}: name queues by DeveloperName (write ${labelled.DeveloperName})`,
        };
      }
      const names = [...this.queuesByDeveloperName.values()].map((q) => q.DeveloperName!);
      return {
        ok: false,
        message: `no queue with DeveloperName '${written}' in this org: correct it, or create the queue with Lead as a supported object (Setup → Queues)${suggest(written, names)}`,
      };
    }
    if (queue.TakesLeads === false) {
      return {
        ok: false,
        message: `queue ${queue.DeveloperName ?? queue.Name} does not take Leads: add Lead to its Supported Objects (Setup → Queues → Edit), or name another queue`,
      };
    }
    return { ok: true, id: queue.Id };
  }

  private found(user: UserRecord, written: string): Resolution {
    if (user.IsActive) return { ok: true, id: user.Id };
    return {
      ok: true,
      id: user.Id,
      warning: `${user.Name} (${written}) is inactive: routing passes over them; reactivate the user (Setup → Users) or take them out of the routing set`,
    };
  }
}

/** One place a routing set names a user or a queue, and the Id it stands for now. */
export interface PersonRef {
  kind: 'user' | 'queue';
  /** As the file writes it: a username, an email, a DeveloperName or an Id. */
  written: string;
  id: string;
  /** Where it is written (message empty). */
  place: SourceIssue;
  /** Points the loaded routing set at another record, when the name comes to mean another. */
  rebind(id: string): void;
}

/**
 * Resolves the names a routing set's files write, file by file: each name that names nobody is
 * reported on its line, each that resolves is replaced by its Id (the engine works with Ids) and
 * remembered, so the set can be resolved again when the org's users or queues change.
 */
export class PeopleBinder {
  readonly refs: PersonRef[] = [];
  readonly warnings: SourceIssue[] = [];

  constructor(readonly people: OrgPeople) {}

  bind(
    source: YamlSource,
    path: PathSegment[],
    kind: 'user' | 'queue',
    written: string,
    assign: (id: string) => void,
  ): void {
    const resolved = kind === 'user' ? this.people.user(written) : this.people.queue(written);
    if (!resolved.ok) {
      source.report(path, resolved.message);
      return;
    }
    assign(resolved.id);
    const place = source.issueAt(path, '');
    this.refs.push({ kind, written, id: resolved.id, place, rebind: assign });
    if (resolved.warning) this.warnings.push({ ...place, message: resolved.warning });
  }
}

/** What resolving a loaded set's names again found: names now meaning another record, and problems. */
export interface Rebinding {
  /** Names that now stand for another record (the set was pointed at it). */
  moved: Array<{ ref: PersonRef; from: string }>;
  /** Names that no longer name anyone (the set keeps their last Id), and inactive users. */
  problems: SourceIssue[];
}

/**
 * Resolves every name of a loaded set against the org as it is now: a name that names another record
 * (an email moved to a new hire, a queue recreated) moves the set to it; one that names nobody keeps
 * its last Id and is reported, as is an inactive user, so routing never stops over a change in the org.
 */
export function rebindPeople(refs: readonly PersonRef[], people: OrgPeople): Rebinding {
  const moved: Rebinding['moved'] = [];
  const problems: SourceIssue[] = [];
  for (const ref of refs) {
    const resolved = ref.kind === 'user' ? people.user(ref.written) : people.queue(ref.written);
    if (!resolved.ok) {
      problems.push({ ...ref.place, message: resolved.message });
      continue;
    }
    if (resolved.warning) problems.push({ ...ref.place, message: resolved.warning });
    if (resolved.id !== ref.id) {
      moved.push({ ref, from: ref.id });
      ref.id = resolved.id;
      ref.rebind(resolved.id);
    }
  }
  return { moved, problems };
}
