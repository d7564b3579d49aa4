import { ERROR_CODES, DomainError } from '../../src/domain/errors';
import { HTTP_STATUS, toProblem } from '../../src/http/problem';

describe('code → HTTP status map (src/http/problem.ts)', () => {
  it('gives every error code a status, and has no status for a code that does not exist', () => {
    for (const code of ERROR_CODES) {
      expect({ code, status: HTTP_STATUS[code] }).toEqual({ code, status: expect.any(Number) });
      expect(HTTP_STATUS[code]).toBeGreaterThanOrEqual(400);
      expect(HTTP_STATUS[code]).toBeLessThan(600);
    }
    expect(Object.keys(HTTP_STATUS).sort()).toEqual([...ERROR_CODES].sort());
  });

  it('answers a DomainError with the status of its code; the error itself carries none', () => {
    const e = new DomainError('seat-limit-reached', 'No seat left.');
    expect(Object.keys(e)).not.toContain('status');
    const res = toProblem(e);
    expect(res.status).toBe(409);
    expect(JSON.parse(String(res.body))).toMatchObject({ status: 409, code: 'seat-limit-reached' });
    expect(toProblem(new DomainError('unsupported-media-type', 'x')).status).toBe(415);
  });
});
