import { LightningElement } from 'lwc';
import { actAs, actingUser, page } from 'preview/session';

/** "Act as": pick a demo user; the page reloads and every call goes out as them, so permissions show. */
export default class ActAs extends LightningElement {
  get options() {
    const current = actingUser().id;
    return page().actors.map((actor) => ({
      value: actor.id,
      label: `${actor.name} · ${actor.role}${actor.canReroute ? ' · can re-route' : ' · cannot re-route'}`,
      selected: actor.id === current,
    }));
  }

  get hasOptions() {
    return this.options.length > 0;
  }

  handleChange(event) {
    actAs(event.target.value);
  }
}
