import { LightningElement, api } from 'lwc';

/**
 * lightning-primitive-icon for the preview: the icon drawn from the SLDS sprite served with the bundle
 * (`<use href="…/utility-sprite/svg/symbols.svg#refresh">`), instead of lightning-base-components'
 * inline SVG templates. Those come in chunks of up to 900 KB of script a page must parse before it
 * settles; a sprite is one cached image file. Same properties and classes as the platform's.
 */
const SLDS_PREFIX = new URL('../slds', import.meta.url).pathname;
const SIZES = new Set(['xx-small', 'x-small', 'small', 'medium', 'large']);
const VARIANT_CLASSES = {
  error: 'slds-icon-text-error',
  warning: 'slds-icon-text-warning',
  success: 'slds-icon-text-success',
};

export default class PrimitiveIcon extends LightningElement {
  @api iconName;
  @api src;
  @api svgClass;
  @api size = 'medium';
  @api variant = '';

  get href() {
    if (this.src) return this.src;
    const [sprite, name] = String(this.iconName || '').split(':');
    return sprite && name ? `${SLDS_PREFIX}/assets/icons/${sprite}-sprite/svg/symbols.svg#${name}` : '';
  }

  get name() {
    return String(this.iconName || '').split(':')[1] || '';
  }

  get computedClass() {
    const classes = String(this.svgClass || '')
      .split(/\s+/)
      .filter(Boolean);
    if (this.variant !== 'bare') classes.push('slds-icon');
    if (VARIANT_CLASSES[this.variant]) classes.push(VARIANT_CLASSES[this.variant]);
    else if (!['inverse', 'bare'].includes(this.variant) && !this.src) classes.push('slds-icon-text-default');
    if (SIZES.has(this.size) && this.size !== 'medium') classes.push(`slds-icon_${this.size}`);
    return classes.join(' ');
  }
}
