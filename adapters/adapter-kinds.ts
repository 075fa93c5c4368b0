/**
 * Which factory builds which adapter kind. The registry asks this table and knows no kind
 * by name, so a new kind (soap, file-drop, an agency's own code module) is one `register`
 * line in `defaultAdapterKinds()` or an `adapterKinds` option, never a registry change.
 */
import type { AdapterFactory } from './agency-adapter.port';
import { createFileDropAdapter } from './file-drop/file-drop.adapter';
import { createRestAdapter } from './rest/rest.adapter';
import { createSoapAdapter } from './soap/soap.adapter';

export class AdapterKinds {
  private readonly factories = new Map<string, AdapterFactory>();

  register(kind: string, factory: AdapterFactory): this {
    if (this.factories.has(kind)) throw new Error(`adapter kind "${kind}" is already registered`);
    this.factories.set(kind, factory);
    return this;
  }

  factoryFor(kind: string): AdapterFactory | undefined {
    return this.factories.get(kind);
  }

  kinds(): string[] {
    return [...this.factories.keys()];
  }
}

export function defaultAdapterKinds(): AdapterKinds {
  return new AdapterKinds()
    .register('rest', createRestAdapter)
    .register('soap', createSoapAdapter)
    .register('file-drop', createFileDropAdapter);
}
