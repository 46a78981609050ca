'use strict'
// The mqtt-packet side of the codec benchmark: the same workloads, the same method, the same
// JSON shape as bench/codec_bench.cpp.
//
//   node bench.js --dir DIR [--json] [--reps N] [--min-time S] [--w6-reps N] [--only W1-decode,...]
//
// DIR holds the wire bytes written by `codec_bench --dump DIR` (W1.bin .. W6.bin); they are
// what the parser decodes. The encoder builds the same packets as mqtt-packet objects and
// generate()s them; whether that gives the very same bytes is checked and reported
// ("same_bytes"). Decode: one parser per job, parse(buf) per iteration, packets counted by
// 'packet' events (and checked). W6: the 1,000,000-packet buffer fed in 4 KiB chunks to one
// parser. Median ns per packet over the repetitions; each repetition runs >= --min-time.

const fs = require('fs')
const path = require('path')
const mqtt = require('mqtt-packet')

function die (msg) {
  process.stderr.write(`bench.js: ${msg}\n`)
  process.exit(2)
}

const args = process.argv.slice(2)
const opt = { dir: null, json: false, reps: 9, minTime: 0.2, w6Reps: null, only: null }
for (let i = 0; i < args.length; i++) {
  const a = args[i]
  const next = () => { if (i + 1 >= args.length) die(`${a} needs a value`); return args[++i] }
  if (a === '--dir') opt.dir = next()
  else if (a === '--json') opt.json = true
  else if (a === '--reps') opt.reps = Math.max(1, parseInt(next(), 10))
  else if (a === '--min-time') opt.minTime = parseFloat(next())
  else if (a === '--w6-reps') opt.w6Reps = Math.max(1, parseInt(next(), 10))
  else if (a === '--only') opt.only = new Set(next().split(','))
  else die(`unknown argument ${a}`)
}
if (!opt.dir) die('--dir DIR is required (codec_bench --dump DIR writes it)')

const manifest = JSON.parse(fs.readFileSync(path.join(opt.dir, 'manifest.json'), 'utf8'))
const wire = {}
for (const w of ['W1', 'W2', 'W3', 'W4', 'W5', 'W6']) wire[w] = fs.readFileSync(path.join(opt.dir, `${w}.bin`))

function pattern (n) {
  const b = Buffer.alloc(n)
  for (let i = 0; i < n; i++) b[i] = (i * 31 + 7) & 0xff
  return b
}

// The packets, as mqtt-packet objects. Property keys in ascending property-id order.
const packets = {
  W1: {
    version: 4,
    p: { cmd: 'publish', topic: 'sensors/room1/temp', payload: pattern(32), qos: 0, dup: false, retain: false }
  },
  W2: {
    version: 5,
    p: {
      cmd: 'publish',
      topic: 'devices/abc123/telemetry',
      payload: pattern(256),
      qos: 1,
      messageId: 42,
      dup: false,
      retain: false,
      properties: {
        messageExpiryInterval: 60,
        contentType: 'application/json',
        userProperties: { a: '1', b: '2' }
      }
    }
  },
  W3: {
    version: 4,
    p: { cmd: 'publish', topic: 'bulk/data', payload: pattern(65536), qos: 0, dup: false, retain: false }
  },
  W4: {
    version: 5,
    p: {
      cmd: 'subscribe',
      messageId: 7,
      subscriptions: Array.from({ length: 10 }, (_, i) => ({ topic: `a/b/c/${i}`, qos: 1, nl: false, rap: false, rh: 0 }))
    }
  },
  W5: {
    version: 5,
    p: {
      cmd: 'connect',
      protocolId: 'MQTT',
      protocolVersion: 5,
      clean: true,
      keepalive: 60,
      clientId: 'client-0001',
      username: 'user',
      password: Buffer.from('secret-pw'),
      will: {
        topic: 'will/t',
        payload: pattern(16),
        qos: 1,
        retain: false,
        properties: { willDelayInterval: 10 }
      },
      properties: { sessionExpiryInterval: 3600, receiveMaximum: 100 }
    }
  }
}

let sink = 0 // checksum, printed, so nothing is dead code

function decodeJob (w) {
  const buf = wire[w]
  const parser = mqtt.parser({ protocolVersion: packets[w].version })
  let count = 0
  parser.on('packet', (p) => { count++; sink += (p.length | 0) + (p.messageId | 0) })
  parser.on('error', (e) => die(`${w} decode: ${e.message}`))
  return {
    packetsPerIter: 1,
    bytesPerIter: buf.length,
    run (n) {
      count = 0
      for (let i = 0; i < n; i++) parser.parse(buf)
      if (count !== n) die(`${w} decode: ${count} packets for ${n} iterations`)
    }
  }
}

function encodeJob (w) {
  const { p, version } = packets[w]
  const o = { protocolVersion: version }
  const out = mqtt.generate(p, o)
  const same = Buffer.compare(out, wire[w]) === 0
  return {
    packetsPerIter: 1,
    bytesPerIter: out.length,
    sameBytes: same,
    run (n) {
      let s = 0
      for (let i = 0; i < n; i++) s += mqtt.generate(p, o).length
      sink += s
    }
  }
}

function streamJob () {
  const buf = wire.W6
  const expected = manifest.W6_packets
  const parser = mqtt.parser({ protocolVersion: 5 })
  let count = 0
  parser.on('packet', (p) => { count++; sink += p.length | 0 })
  parser.on('error', (e) => die(`W6 decode: ${e.message}`))
  return {
    packetsPerIter: expected,
    bytesPerIter: buf.length,
    run (n) {
      for (let i = 0; i < n; i++) {
        count = 0
        for (let pos = 0; pos < buf.length; pos += 4096) parser.parse(buf.subarray(pos, pos + 4096))
        if (count !== expected) die(`W6 decode: ${count} packets, expected ${expected}`)
      }
    }
  }
}

function median (v) {
  const s = [...v].sort((a, b) => a - b)
  const n = s.length
  return n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2
}

function seconds (f) {
  const t0 = process.hrtime.bigint()
  f()
  return Number(process.hrtime.bigint() - t0) / 1e9
}

// Wall clock and process CPU time (all of node's threads: JIT and GC helpers included).
function timed (f) {
  const c0 = process.cpuUsage()
  const t0 = process.hrtime.bigint()
  f()
  const wall = Number(process.hrtime.bigint() - t0) / 1e9
  const c = process.cpuUsage(c0)
  return { wall, cpu: (c.user + c.system) / 1e6 }
}

function measure (job, reps, minTime) {
  let n = 1
  let t
  for (;;) { // calibrate and warm up (JIT)
    t = seconds(() => job.run(n))
    if (t >= minTime / 8) break
    n *= t < minTime / 1000 ? 16 : 2
  }
  const iters = Math.max(1, Math.floor(n * minTime * 1.05 / t) + 1)
  job.run(Math.max(1, Math.floor(iters / 4)))
  const ns = []
  const cpu = []
  for (let r = 0; r < reps; r++) {
    const s = timed(() => job.run(iters))
    ns.push(s.wall * 1e9 / (iters * job.packetsPerIter))
    cpu.push(s.cpu * 1e9 / (iters * job.packetsPerIter))
  }
  return { iters, ns, cpu, median: median(ns), cpuMedian: median(cpu) }
}

const jobs = []
for (const w of ['W1', 'W2', 'W3', 'W4', 'W5']) {
  jobs.push({ workload: w, direction: 'decode', make: () => decodeJob(w) })
  jobs.push({ workload: w, direction: 'encode', make: () => encodeJob(w) })
}
jobs.push({ workload: 'W6', direction: 'decode', make: streamJob })

const text = opt.json ? process.stderr : process.stdout
const results = []
for (const j of jobs) {
  const name = `${j.workload}-${j.direction}`
  if (opt.only && !opt.only.has(name)) continue
  const job = j.make()
  const reps = j.workload === 'W6' && opt.w6Reps ? opt.w6Reps : opt.reps
  const m = measure(job, reps, opt.minTime)
  const bpp = job.bytesPerIter / job.packetsPerIter
  const r = {
    workload: j.workload,
    direction: j.direction,
    median_ns_per_packet: +m.median.toFixed(4),
    median_cpu_ns_per_packet: +m.cpuMedian.toFixed(4),
    packets_per_second: +(1e9 / m.median).toFixed(1),
    mb_per_second: +(bpp * 1e3 / m.median).toFixed(2),
    bytes_per_packet: +bpp.toFixed(2),
    packets_per_iteration: job.packetsPerIter,
    iterations_per_rep: m.iters,
    allocations_per_packet: null,
    allocations: null,
    reps_ns_per_packet: m.ns.map((x) => +x.toFixed(4)),
    reps_cpu_ns_per_packet: m.cpu.map((x) => +x.toFixed(4))
  }
  if (job.sameBytes !== undefined) r.same_bytes = job.sameBytes
  results.push(r)
  text.write(`${j.workload.padEnd(3)} ${j.direction.padEnd(6)} ${m.median.toFixed(2).padStart(10)} ns/pkt (cpu ${m.cpuMedian.toFixed(2)}) ` +
    `${(1e9 / m.median).toFixed(0).padStart(14)} pkt/s ${(bpp * 1e3 / m.median).toFixed(1).padStart(10)} MB/s` +
    `  (${job.bytesPerIter} B/iter, ${m.iters} iters x ${reps} reps` +
    `${job.sameBytes === undefined ? '' : job.sameBytes ? ', same bytes as mqttconn' : ', BYTES DIFFER from mqttconn'})\n`)
}
text.write(`checksum ${sink}\n`)

if (opt.json) {
  process.stdout.write(JSON.stringify({
    impl: 'mqtt-packet',
    version: require('mqtt-packet/package.json').version,
    node: process.version,
    unit: 'ns_per_packet',
    results
  }, null, 2) + '\n')
}
