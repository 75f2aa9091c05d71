package redis

import goredis "github.com/redis/go-redis/v9"

// The write scripts share one reply shape, {status, current}: status 1 is
// written (or added), 0 is not added, -1 is fenced, and current is the
// fence key's value as a string (for the error message). KEYS[1] is the
// entry; a KEYS[2], when present, is the fence key whose value must equal
// the token argument.

// luaFence is the fence check every write script starts with. It compares
// strings, so tokens beyond 2^53 are not rounded by Lua's numbers.
const luaFence = `
local function fenced(token)
  if #KEYS < 2 then return nil end
  local cur = redis.call('GET', KEYS[2])
  if cur ~= token then return {-1, cur or '0'} end
  return nil
end
`

// luaExpired tells whether a stored value's 8-byte big-endian deadline is
// at or before now (8 bytes, same encoding). Bytes are compared as numbers:
// Lua's string comparison follows the server's locale.
const luaExpired = `
local function expired(v, now)
  local d = string.sub(v, 1, 8)
  if d == '\0\0\0\0\0\0\0\0' then return false end
  for i = 1, 8 do
    local a, b = string.byte(d, i), string.byte(now, i)
    if a ~= b then return a < b end
  end
  return true
end
`

// luaWrite stores ARGV[1] with a Redis expiry of ARGV[2] ms (0: none).
const luaWrite = `
local function write(v, px)
  if px == '0' then
    redis.call('SET', KEYS[1], v)
  else
    redis.call('SET', KEYS[1], v, 'PX', px)
  end
end
`

// setScript: ARGV = value, px, token.
var setScript = goredis.NewScript(luaFence + luaWrite + `
local f = fenced(ARGV[3])
if f then return f end
write(ARGV[1], ARGV[2])
return {1, ''}
`)

// addScript: ARGV = value, px, now, token. A present value carrying the
// same write id (bytes 9-16) is this very Add retried after a lost reply.
var addScript = goredis.NewScript(luaFence + luaExpired + luaWrite + `
local f = fenced(ARGV[4])
if f then return f end
local cur = redis.call('GET', KEYS[1])
if cur then
  if string.len(cur) >= 16 and string.sub(cur, 9, 16) == string.sub(ARGV[1], 9, 16) then
    return {1, ''}
  end
  if string.len(cur) < 8 or not expired(cur, ARGV[3]) then
    return {0, ''}
  end
end
write(ARGV[1], ARGV[2])
return {1, ''}
`)

// delScript: ARGV = token.
var delScript = goredis.NewScript(luaFence + `
local f = fenced(ARGV[1])
if f then return f end
redis.call('DEL', KEYS[1])
return {1, ''}
`)
