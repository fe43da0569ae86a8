/// The Lua scripts that keep every student's balance in Redis, atomically.
///
/// All keys a script touches belong to one student and share the hash tag `{course:student}`, so each
/// script runs on one Redis Cluster slot. The edge passes the policy and the current period in, so the
/// scripts need no clock and no policy of their own: a period rolls over lazily, in the first script that
/// runs after its boundary, whether or not any coordinator is up.
///
/// Balance hash fields (amounts in the policy's unit: milli-tokens or pico-dollars):
/// `period` (index), `space` (how the period spec counts indexes, ``PeriodSpec/indexSpace``), `alloc`, `carry`,
/// `grants`, `used` (settled charges), `held` (open leases).
/// Closed periods are appended to the `closed` list as `period:alloc:carry:grants:used` for the ledger.
/// Open leases live in the `leases` hash (`id → hold:deadline:period`) and the `deadlines` sorted set (by
/// deadline in ms), where the coordinator finds the expired ones of an edge that died. `held` counts the
/// holds of the current period's leases only: a lease still open when its period ends is charged to that
/// period when it settles, so its hold must not keep the new period's allowance from the student.
enum QuotaScripts {
    /// KEYS: balance, closed, leases. ARGV: period, alloc, carry rule, carry parameter, overspend rule, index space.
    /// Shared by every script: brings the balance to the current period and returns its fields.
    ///
    /// A policy whose period spec now counts indexes differently (staff made a week a fortnight) carries the
    /// running period on as the new spec's current one, with what it has used, held and carried: its index
    /// is rewritten, and so is that of each open lease. A settle under the spec before leaves it as it is.
    static let rollover = """
        local function n(value) return string.format('%d', value) end

        local MAXIMUM = 1125899906842624

        -- The same rule as QuotaPolicy.carryIn(previousRemaining:allocation:carryOver:overspend:).
        local function carry_in(remaining, alloc, rule, param, overspend)
          if remaining <= 0 then
            if overspend == 'deduct' then return math.max(remaining, -MAXIMUM) end
            return 0
          end
          local cap = 0
          if rule == 'all' then
            cap = MAXIMUM
          elseif rule == 'cap' then
            cap = math.min(math.max(param, 0), MAXIMUM)
          elseif rule == 'pct' then
            local a = math.min(math.max(alloc, 0), MAXIMUM)
            local p = math.min(math.max(param, 0), 100)
            cap = math.min(math.floor(a / 100) * p + math.floor((a % 100) * p / 100), MAXIMUM)
          end
          return math.min(remaining, cap)
        end

        local TOKEN_CLASSES = {'in', 'w5', 'w1', 'rd', 'out'}

        -- One entry of the `closed` list: `period:alloc:carry:grants:used`.
        local function closed_entry(period, alloc, carry, grants, used)
          return n(period) .. ':' .. n(alloc) .. ':' .. n(carry) .. ':' .. n(grants) .. ':' .. n(used)
        end

        -- Names `period` as the period of the open leases: all of them, or with `unnamed_only` those that name none.
        local function name_lease_periods(leases_key, period, unnamed_only)
          local leases = redis.call('HGETALL', leases_key)
          for i = 1, #leases, 2 do
            local hold, deadline, named = string.match(leases[i + 1], '^(%-?%d+):(%-?%d+)(:?)')
            if hold and not (unnamed_only and named == ':') then
              redis.call('HSET', leases_key, leases[i], hold .. ':' .. deadline .. ':' .. n(period))
            end
          end
        end

        -- `settling`: the call settles a lease, under the policy it was taken with.
        local function load_balance(balance_key, closed_key, leases_key, period, alloc, rule, param, overspend, space, settling)
          local f = redis.call('HMGET', balance_key, 'period', 'alloc', 'carry', 'grants', 'used', 'held', 'space', unpack(TOKEN_CLASSES))
          local b = {period = tonumber(f[1]), alloc = tonumber(f[2]) or alloc, carry = tonumber(f[3]) or 0,
                     grants = tonumber(f[4]) or 0, used = tonumber(f[5]) or 0, held = tonumber(f[6]) or 0, space = space,
                     tokens = {}}
          for i = 1, 5 do b.tokens[i] = tonumber(f[7 + i]) or 0 end
          if b.period == nil then
            b.period = period
          end
          if f[7] and f[7] ~= space then
            if settling then
              b.space = f[7]
              b.foreign = true
              return b
            end
            name_lease_periods(leases_key, period, false)
            b.period = period
            b.alloc = alloc
            return b
          end
          if b.period < period then
            redis.call('HDEL', balance_key, unpack(TOKEN_CLASSES))
            for i = 1, 5 do b.tokens[i] = 0 end
            -- Leases written before they named their period are of the period closing now, whose holds `held` drops.
            name_lease_periods(leases_key, b.period, true)
          end
          local steps = 0
          while b.period < period do
            redis.call('RPUSH', closed_key, closed_entry(b.period, b.alloc, b.carry, b.grants, b.used))
            local remaining = b.alloc + b.carry + b.grants - b.used
            b.carry = carry_in(remaining, b.alloc, rule, param, overspend)
            b.period = b.period + 1
            b.alloc = alloc
            b.grants = 0
            b.used = 0
            steps = steps + 1
            if steps >= 1000 then b.period = period end
          end
          if steps > 0 then
            redis.call('LTRIM', closed_key, -512, -1)
            b.held = 0
          end
          if b.period == period then b.alloc = alloc end
          return b
        end

        -- `counted`: the token class fields to write too, as name, value pairs.
        local function save_balance(balance_key, b, counted)
          redis.call('HSET', balance_key, 'period', n(b.period), 'space', b.space, 'alloc', n(b.alloc), 'carry', n(b.carry),
                     'grants', n(b.grants), 'used', n(b.used), 'held', n(b.held), unpack(counted or {}))
        end

        local function balance_reply(b)
          return {b.period, b.alloc + b.carry + b.grants, b.used, b.held}
        end
        """

    /// KEYS: balance, closed, leases, deadlines. ARGV: the six rollover arguments, lease id, estimate, deadline (ms),
    /// minimum to admit. Reply: admitted (0/1), hold, then `balance_reply` as it was before the hold.
    static let reserve = RedisScript(
        rollover + """

            local b = load_balance(KEYS[1], KEYS[2], KEYS[3], tonumber(ARGV[1]), tonumber(ARGV[2]), ARGV[3], tonumber(ARGV[4]), ARGV[5], ARGV[6], false)
            local estimate = tonumber(ARGV[8])
            local available = b.alloc + b.carry + b.grants - b.used - b.held
            local before = balance_reply(b)
            if available < tonumber(ARGV[10]) then
              save_balance(KEYS[1], b)
              return {0, 0, unpack(before)}
            end
            local hold = math.min(estimate, available)
            b.held = b.held + hold
            save_balance(KEYS[1], b)
            redis.call('HSET', KEYS[3], ARGV[7], n(hold) .. ':' .. ARGV[9] .. ':' .. n(b.period))
            redis.call('ZADD', KEYS[4], ARGV[9], ARGV[7])
            return {1, hold, unpack(before)}
            """
    )

    /// KEYS: balance, closed, leases, deadlines, settled. ARGV: the six rollover arguments (the period the
    /// lease was taken in), lease id, charge, the tokens by class (input, 5m write, 1h write, read, output),
    /// now (ms). Reply: settled now (0 if it already was), then `balance_reply` after the charge.
    /// Settling twice charges once: the settled sorted set remembers each lease for a day.
    /// A stream that outlives its period is charged to that period, as its record is dated: once the
    /// balance has rolled on, its closed entry grows and the carry it left to the periods after it shrinks.
    static let settle = RedisScript(
        rollover + """

            -- Adds `charge` to the closed entry of `period`; false if that entry is no longer listed. What that period
            -- carried on changes, and with it what each period closed since carried on, down to the balance's own.
            local function charge_closed(closed_key, period, charge, b, rule, param, overspend)
              local entries = redis.call('LRANGE', closed_key, -8, -1)
              local closed = {}
              for i = 1, #entries do
                local f = {}
                for field in string.gmatch(entries[i], '-?%d+') do f[#f + 1] = tonumber(field) end
                closed[i] = f
              end
              local function carried(f) return carry_in(f[2] + f[3] + f[4] - f[5], f[2], rule, param, overspend) end
              for i = #closed, 1, -1 do
                local f = closed[i]
                if f[1] == period then
                  local before = carried(f)
                  f[5] = f[5] + charge
                  redis.call('LSET', closed_key, i - #closed - 1, closed_entry(f[1], f[2], f[3], f[4], f[5]))
                  local after, next_period = carried(f), f[1] + 1
                  for j = i + 1, #closed do
                    local g = closed[j]
                    if after == before or g[1] ~= next_period then return true end
                    local g_before = carried(g)
                    g[3] = g[3] + after - before
                    redis.call('LSET', closed_key, j - #closed - 1, closed_entry(g[1], g[2], g[3], g[4], g[5]))
                    before, after, next_period = g_before, carried(g), g[1] + 1
                  end
                  if next_period == b.period then b.carry = b.carry + after - before end
                  return true
                end
              end
              return false
            end

            local b = load_balance(KEYS[1], KEYS[2], KEYS[3], tonumber(ARGV[1]), tonumber(ARGV[2]), ARGV[3], tonumber(ARGV[4]), ARGV[5], ARGV[6], true)
            local lease = redis.call('HGET', KEYS[3], ARGV[7])
            if lease then
              local hold = tonumber(string.match(lease, '^(-?%d+)'))
              local taken_in = tonumber(string.match(lease, '^%-?%d+:%-?%d+:(%-?%d+)$') or '')
              -- A lease from a period that has rolled over no longer holds anything in this one.
              if taken_in == nil or taken_in == b.period then b.held = math.max(0, b.held - hold) end
              redis.call('HDEL', KEYS[3], ARGV[7])
              redis.call('ZREM', KEYS[4], ARGV[7])
            end
            if redis.call('ZSCORE', KEYS[5], ARGV[7]) then
              -- Settled already (a retry; or a Redis rebuilt from the ledger, which counts the request): a lease still
              -- open for it is closed, or the reconciliation would find it again, and charge it once the day is up.
              if lease then save_balance(KEYS[1], b) end
              return {0, unpack(balance_reply(b))}
            end
            local charge = tonumber(ARGV[8])
            -- A lease taken under a spec that counted other periods is charged to the period running now.
            local late = not b.foreign and tonumber(ARGV[1]) < b.period
            if late and charge_closed(KEYS[2], tonumber(ARGV[1]), charge, b, ARGV[3], tonumber(ARGV[4]), ARGV[5]) then
              charge = 0
            end
            b.used = b.used + charge
            local counted = {}
            for i = 1, late and 0 or 5 do
              local count = tonumber(ARGV[8 + i]) or 0
              if count > 0 then
                counted[#counted + 1] = TOKEN_CLASSES[i]
                counted[#counted + 1] = n(b.tokens[i] + count)
              end
            end
            save_balance(KEYS[1], b, counted)
            local now = tonumber(ARGV[14])
            redis.call('ZADD', KEYS[5], now, ARGV[7])
            redis.call('ZREMRANGEBYSCORE', KEYS[5], '-inf', now - 86400000)
            return {1, unpack(balance_reply(b))}
            """
    )

    /// KEYS: leases, deadlines. ARGV: lease id, new deadline (ms). Reply: 1 if the lease was still open.
    static let renew = RedisScript(
        """
        local lease = redis.call('HGET', KEYS[1], ARGV[1])
        if not lease then return 0 end
        local hold, period = string.match(lease, '^(%-?%d+):%-?%d+(.*)$')
        redis.call('HSET', KEYS[1], ARGV[1], hold .. ':' .. ARGV[2] .. period)
        redis.call('ZADD', KEYS[2], ARGV[2], ARGV[1])
        return 1
        """
    )

    /// KEYS: leases, deadlines, settled. ARGV: lease id, deadline (ms). Opens a lease that holds nothing for a
    /// request served while Redis was away, unless it is open or settled already: the coordinator's reconciliation
    /// then settles it with the charge its record names, once, whether or not its edge still does.
    /// Reply: 1 if it was opened.
    static let openUnsettled = RedisScript(
        """
        if redis.call('ZSCORE', KEYS[3], ARGV[1]) or redis.call('HEXISTS', KEYS[1], ARGV[1]) == 1 then return 0 end
        redis.call('HSET', KEYS[1], ARGV[1], '0:' .. ARGV[2])
        redis.call('ZADD', KEYS[2], ARGV[2], ARGV[1])
        return 1
        """
    )

    /// KEYS: balance, closed, leases. ARGV: the six rollover arguments, amount. Adds to this period's grants.
    /// Reply: `balance_reply` after the grant.
    static let grant = RedisScript(
        rollover + """

            local b = load_balance(KEYS[1], KEYS[2], KEYS[3], tonumber(ARGV[1]), tonumber(ARGV[2]), ARGV[3], tonumber(ARGV[4]), ARGV[5], ARGV[6], false)
            b.grants = b.grants + tonumber(ARGV[7])
            save_balance(KEYS[1], b)
            return balance_reply(b)
            """
    )

    /// KEYS: balance, closed, leases. ARGV: the six rollover arguments. Reply: `balance_reply`, then this period's
    /// tokens by class (input, 5m write, 1h write, read, output).
    /// A student without a balance is answered as one with nothing used, and left without: a look must not
    /// write one, or a Redis that lost its data would be given empty balances that the leader's rebuild then
    /// takes for newer than the ledger (the period closer looks at every student).
    static let peek = RedisScript(
        rollover + """

            local exists = redis.call('EXISTS', KEYS[1]) == 1
            local b = load_balance(KEYS[1], KEYS[2], KEYS[3], tonumber(ARGV[1]), tonumber(ARGV[2]), ARGV[3], tonumber(ARGV[4]), ARGV[5], ARGV[6], false)
            if exists then save_balance(KEYS[1], b) end
            local reply = balance_reply(b)
            for i = 1, 5 do reply[4 + i] = b.tokens[i] end
            return reply
            """
    )

    /// KEYS: the reserve's pool, its drawn hash. ARGV: period index, total, cap per student, student, wanted, index
    /// space. Fills an empty pool, and refills it when the period moved on in the drawing student's index space
    /// (the pool keeps one index per space, so students on specs that count periods differently cannot refill it
    /// by taking turns, and a draw from an edge whose clock is behind a boundary does not), then draws what the
    /// pool, the student's cap and `wanted` allow. Reply: {drawn now, left in the pool, drawn by the student this period}.
    static let drawReserve = RedisScript(
        """
        local function n(value) return string.format('%d', value) end
        local period = tonumber(ARGV[1])
        local field = 'period:' .. ARGV[6]
        local last = tonumber(redis.call('HGET', KEYS[1], field) or '')
        if redis.call('HEXISTS', KEYS[1], 'left') == 0 or (last ~= nil and period > last) then
          redis.call('HSET', KEYS[1], field, n(period), 'left', n(tonumber(ARGV[2])))
          redis.call('DEL', KEYS[2])
        elseif last == nil then
          redis.call('HSET', KEYS[1], field, n(period))  -- a spec new to the pool: its boundaries count from here
        end
        local left = tonumber(redis.call('HGET', KEYS[1], 'left'))
        local drawn = tonumber(redis.call('HGET', KEYS[2], ARGV[4]) or '0')
        local amount = math.min(tonumber(ARGV[5]), left, tonumber(ARGV[3]) - drawn)
        if amount <= 0 then return {0, left, drawn} end
        redis.call('HSET', KEYS[1], 'left', n(left - amount))
        redis.call('HSET', KEYS[2], ARGV[4], n(drawn + amount))
        return {amount, left - amount, drawn + amount}
        """
    )
}
