import type { ExecutionContext, Type } from '@nestjs/common';

type Handler = ReturnType<ExecutionContext['getHandler']>;

/**
 * What a guard reads from a route's decorators, read once per handler instead of on every request:
 * the decorators are fixed when the app is built, and the Reflector's lookups (reflect-metadata,
 * down the prototype chain, for the handler and its class) were a measurable share of the hottest
 * route's CPU (issue 13). Keyed by class and handler, so a handler inherited by two controllers is
 * read for each.
 */
export class RouteMetadata<T extends object> {
  private readonly byClass = new WeakMap<Type<unknown>, WeakMap<Handler, T>>();

  constructor(private readonly read: (handler: Handler, controller: Type<unknown>) => T) {}

  of(context: ExecutionContext): T {
    const controller = context.getClass();
    const handler = context.getHandler();
    let byHandler = this.byClass.get(controller);
    if (!byHandler) this.byClass.set(controller, (byHandler = new WeakMap()));
    let facts = byHandler.get(handler);
    if (!facts) byHandler.set(handler, (facts = this.read(handler, controller)));
    return facts;
  }
}
