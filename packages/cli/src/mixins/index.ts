import { coreMixin } from './core.js';
import { engineMixin } from './engine.js';
import { securityMixin } from './security.js';
import { sloMixin } from './slo.js';
import type { Mixin, MixinOptions } from './types.js';

/** Every package's mixin, in a fixed order (core, slo, security, engine). */
export function allMixins(options: MixinOptions = {}): Mixin[] {
  return [coreMixin(options), sloMixin(options), securityMixin(options), engineMixin(options)];
}

export type * from './types.js';
export { coreMixin, engineMixin, securityMixin, sloMixin };
