// Draws captcha images inside the captcha pool's worker threads: about 3 ms of CPU each, which
// on the main thread would hold up every other request. CommonJS for the reason in bcrypt.worker.cjs.
const { Resvg } = require('@resvg/resvg-js');
const svgCaptcha = require('svg-captcha');

const OPTIONS = { width: 150, height: 50, fontSize: 50, noise: 2, color: true, background: '#f4f6f8' };

/** svg-captcha's main export draws a given text; the PNG comes back base64-encoded. */
module.exports = function drawCaptcha(code) {
  return new Resvg(svgCaptcha(code, OPTIONS)).render().asPng().toString('base64');
};
