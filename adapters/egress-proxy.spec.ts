/**
 * egressProxyFor: which variable applies to an origin, and NO_PROXY's usual rules (curl's and
 * undici's): a list, host suffixes with or without a leading dot or `*.`, ports, `*`.
 */
import { AgencyCallError } from './agency-adapter.port';
import { egressProxyFor } from './egress-proxy';

const proxied = (origin: string, env: NodeJS.ProcessEnv): string | undefined => egressProxyFor(new URL(origin), env)?.shown;

describe('egressProxyFor', () => {
  it('takes HTTPS_PROXY for an https origin and HTTP_PROXY for an http one, never the other', () => {
    const env = { HTTPS_PROXY: 'http://tls-proxy:3128', HTTP_PROXY: 'http://plain-proxy:3128' };

    expect(proxied('https://nrb.go.ke', env)).toBe('http://tls-proxy:3128');
    expect(proxied('http://nrb.go.ke', env)).toBe('http://plain-proxy:3128');
    expect(proxied('https://nrb.go.ke', { HTTP_PROXY: 'http://plain-proxy:3128' })).toBeUndefined();
    expect(proxied('http://nrb.go.ke', {})).toBeUndefined();
  });

  it('prefers the lowercase variable, as curl and axios do, and says which it read', () => {
    const proxy = egressProxyFor(new URL('https://nrb.go.ke'), { https_proxy: 'http://lower:1', HTTPS_PROXY: 'http://upper:2' });

    expect(proxy).toMatchObject({ variable: 'https_proxy', shown: 'http://lower:1' });
  });

  it('keeps the credentials for the client and out of what is shown; takes a proxy without a scheme as http', () => {
    const proxy = egressProxyFor(new URL('https://nrb.go.ke'), { HTTPS_PROXY: 'http://user:secret@proxy.gov:8080' });
    const bare = egressProxyFor(new URL('https://nrb.go.ke'), { HTTPS_PROXY: 'proxy.gov:8080' });

    expect(proxy?.shown).toBe('http://proxy.gov:8080');
    expect(proxy?.url.password).toBe('secret');
    expect(bare?.shown).toBe('http://proxy.gov:8080');
  });

  it.each([
    ['nrb.go.ke', 'https://nrb.go.ke', true],
    ['go.ke', 'https://api.nrb.go.ke', true],
    ['.go.ke', 'https://nrb.go.ke', true],
    ['*.go.ke', 'https://nrb.go.ke', true],
    ['NRB.GO.KE', 'https://nrb.go.ke', true],
    ['other.ke, nrb.go.ke', 'https://nrb.go.ke', true],
    ['other.ke nrb.go.ke', 'https://nrb.go.ke', true],
    ['nrb.go.ke:443', 'https://nrb.go.ke', true],
    ['nrb.go.ke:8443', 'https://nrb.go.ke:8443', true],
    ['nrb.go.ke:8443', 'https://nrb.go.ke', false],
    ['*', 'https://nrb.go.ke', true],
    ['rb.go.ke', 'https://nrb.go.ke', false],
    ['go.ke.example', 'https://nrb.go.ke', false],
    ['', 'https://nrb.go.ke', false],
    ['[::1]', 'https://[::1]:8443', true],
  ])('NO_PROXY=%j exempts %s: %s', (noProxy, origin, exempt) => {
    const proxy = proxied(origin, { HTTPS_PROXY: 'http://proxy:3128', NO_PROXY: noProxy });

    expect(proxy === undefined).toBe(exempt);
  });

  it('reads no_proxy before NO_PROXY', () => {
    expect(proxied('https://nrb.go.ke', { HTTPS_PROXY: 'http://proxy:3128', no_proxy: 'other.ke', NO_PROXY: 'nrb.go.ke' })).toBe('http://proxy:3128');
  });

  it('refuses a proxy it cannot use as misconfigured, naming the variable and not its value', () => {
    const socks = (): unknown => egressProxyFor(new URL('https://nrb.go.ke'), { HTTPS_PROXY: 'socks5://user:secret@proxy:1080' });
    const broken = (): unknown => egressProxyFor(new URL('https://nrb.go.ke'), { HTTPS_PROXY: 'http://user:secret@[bad' });

    expect(socks).toThrow(AgencyCallError);
    expect(socks).toThrow('environment variable HTTPS_PROXY names a socks5 proxy; only http and https proxies are supported');
    expect(broken).toThrow('environment variable HTTPS_PROXY is not a URL');
  });
});
