/**
 * Baseline of `GET /_now` over HTTP: koa and @koa/router (what Tessera's HTTP transport is built on), one route
 * answering the same Kuzzle envelope server:now does, and nothing else. `node bare-koa.js <port>`.
 */
import { randomUUID } from 'node:crypto';
import Koa from 'koa';
import Router from '@koa/router';

const port = Number(process.argv[2]);
const app = new Koa();
const router = new Router();
router.get('/_now', (ctx) => {
  ctx.body = {
    requestId: randomUUID(),
    status: 200,
    error: null,
    controller: 'server',
    action: 'now',
    collection: null,
    index: null,
    volatile: null,
    result: { now: Date.now() },
    node: 'bare-koa',
  };
});
app.use(router.routes());
app.listen(port, '127.0.0.1', () => process.stdout.write('ready\n'));
