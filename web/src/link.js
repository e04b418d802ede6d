// What a link carries in its fragment (never sent to any server):
//   #<what the page does>-<nameplate>-<secret>      e.g. #receive-7-<43 base64url chars>
// and, in its query, where the mailbox server is: ?rendezvous=ws://host:port/v1
import { b64urlDecode, b64urlEncode } from "./pairing.js";

export function parseFragment(fragment) {
  const text = fragment.replace(/^#/, "");
  const m = /^(send|receive)-([1-9][0-9]{0,8})-([A-Za-z0-9_-]{43})$/.exec(text);
  if (!m) return null;
  const secret = b64urlDecode(m[3]);
  if (!secret || secret.length !== 32) return null;
  return { action: m[1], nameplate: m[2], secret };
}

export function formatFragment(action, nameplate, secret) {
  return `#${action}-${nameplate}-${b64urlEncode(secret)}`;
}
