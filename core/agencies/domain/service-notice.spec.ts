import { serviceNotice, type NoticeFacts } from './service-notice';

const facts: NoticeFacts = {
  serviceCode: 'sha-registration',
  serviceName: 'SHA registration',
  agencyCode: 'sha',
  agencyName: 'Social Health Authority',
  fallback: 'store-and-forward',
  mode: 'degraded',
  until: null,
  timeZone: 'Africa/Nairobi',
};

describe('serviceNotice', () => {
  it('says nothing while the agency is in auto', () => {
    expect(serviceNotice({ ...facts, mode: 'auto' })).toBeNull();
  });

  it('tells what each fallback policy gives, in English and Swahili', () => {
    expect(serviceNotice(facts)?.text).toEqual({
      en: 'SHA registration: the Social Health Authority system is down. Provisional reference only; it is submitted when the system is back.',
      sw: 'SHA registration: mfumo wa Social Health Authority haupatikani. Utapewa namba ya muda; ombi litatumwa mfumo ukirudi.',
    });
    expect(serviceNotice({ ...facts, fallback: 'manual', mode: 'manual' })).toMatchObject({ expect: 'paper-process', mode: 'manual' });
  });

  it('names the local time a maintenance window ends for a service that cannot wait', () => {
    const notice = serviceNotice({ ...facts, fallback: 'reject', mode: 'maintenance', until: new Date('2026-03-03T11:30:00Z') });
    expect(notice).toMatchObject({ expect: 'come-back', comeBackAt: '2026-03-03T11:30:00.000Z' });
    expect(notice?.text.en).toBe('SHA registration: the Social Health Authority system is down. Not available; please come back after 14:30.');
    expect(notice?.text.sw).toBe('SHA registration: mfumo wa Social Health Authority haupatikani. Haipatikani; tafadhali rudi baada ya saa 14:30.');
  });
});
