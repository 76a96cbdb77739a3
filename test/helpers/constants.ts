/** The JWT secret of every test server and of the services the unit tests open. */
export const TEST_JWT_SECRET = 'test-secret-0123456789-0123456789-abcdef';
/** Test servers and services fix every captcha code to this. */
export const CAPTCHA_CODE = 'ABCDE';
/** The password of every account the test helpers make, unless told otherwise. */
export const PASSWORD = 'password123';
