'use strict'
// Merges the JSON of several rounds of codec_bench (mqttconn) and bench.js (mqtt-packet) into
// one table: the median over all repetitions of all rounds, per workload and direction.
//
//   node report.js [--out summary.json] --mqttconn a.json b.json ... --mqtt-packet c.json d.json ...

const fs = require('fs')

const files = { mqttconn: [], 'mqtt-packet': [] }
let out = null
let into = null
const args = process.argv.slice(2)
for (let i = 0; i < args.length; i++) {
  const a = args[i]
  if (a === '--out') out = args[++i]
  else if (a === '--mqttconn') into = files.mqttconn
  else if (a === '--mqtt-packet') into = files['mqtt-packet']
  else if (into) into.push(a)
  else throw new Error(`unexpected argument ${a}`)
}

// Targets for mqttconn (ns per packet; W6 is 20 ms per million packets = 20 ns/packet).
const targets = {
  'W1-decode': 4, 'W2-decode': 20, 'W3-decode': 6, 'W4-decode': 25, 'W5-decode': 30, 'W6-decode': 20,
  'W1-encode': 6, 'W2-encode': 25, 'W3-encode': 7, 'W4-encode': 35, 'W5-encode': 25
}
const minRatio = 100

function median (v) {
  const s = [...v].sort((a, b) => a - b)
  const n = s.length
  if (n === 0) return NaN
  return n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2
}

// key -> { reps: [...], roundMedians: [...], bytes, allocs, packets }
function pool (list) {
  const m = new Map()
  for (const f of list) {
    const j = JSON.parse(fs.readFileSync(f, 'utf8'))
    for (const r of j.results) {
      const key = `${r.workload}-${r.direction}`
      if (!m.has(key)) m.set(key, { workload: r.workload, direction: r.direction, reps: [], cpuReps: [], roundMedians: [], bytes: r.bytes_per_packet, allocs: 0, packets: 0, allocsKnown: r.allocations !== null, sameBytes: [] })
      const e = m.get(key)
      e.reps.push(...r.reps_ns_per_packet)
      if (r.reps_cpu_ns_per_packet) e.cpuReps.push(...r.reps_cpu_ns_per_packet)
      e.roundMedians.push(r.median_ns_per_packet)
      if (r.allocations !== null) {
        e.allocs += r.allocations
        e.packets += r.iterations_per_rep * r.packets_per_iteration * r.reps_ns_per_packet.length
      }
      if (r.same_bytes !== undefined) e.sameBytes.push(r.same_bytes)
    }
  }
  return m
}

const a = pool(files.mqttconn)
const b = pool(files['mqtt-packet'])

const rows = []
for (const [key, e] of a) {
  const o = b.get(key)
  const ns = median(e.reps)
  const nsNode = o ? median(o.reps) : NaN
  const ratio = nsNode / ns
  const target = targets[key]
  rows.push({
    workload: e.workload,
    direction: e.direction,
    mqttconn_ns: ns,
    mqttconn_cpu_ns: median(e.cpuReps),
    mqttconn_round_medians: e.roundMedians,
    mqtt_packet_ns: nsNode,
    mqtt_packet_cpu_ns: o ? median(o.cpuReps) : NaN,
    mqtt_packet_round_medians: o ? o.roundMedians : [],
    ratio,
    mqttconn_mb_s: e.bytes * 1e3 / ns,
    allocations_per_packet: e.packets ? e.allocs / e.packets : null,
    allocations: e.allocs,
    target_ns: target,
    target_met: target !== undefined ? ns <= target : null,
    ratio_met: ratio >= minRatio,
    mqtt_packet_same_bytes: o && o.sameBytes.length ? o.sameBytes.every(Boolean) : null,
    reps: { mqttconn: e.reps.length, mqtt_packet: o ? o.reps.length : 0 }
  })
}

const f = (x, d) => Number.isFinite(x) ? x.toFixed(d) : '-'
const ns = (x) => Number.isFinite(x) ? (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2)) : '-'
const head = ['workload', 'dir', 'mqttconn ns/pkt', 'mqtt-packet ns/pkt', 'ratio', 'mqttconn MB/s',
  'allocs/pkt', 'target ns', 'ns target', '>=100x', 'mqttconn cpu ns', 'mqtt-packet cpu ns']
const body = rows.map((r) => [
  r.workload, r.direction, ns(r.mqttconn_ns), ns(r.mqtt_packet_ns), f(r.ratio, 1) + 'x', f(r.mqttconn_mb_s, 0),
  r.allocations_per_packet === null ? '-' : String(+r.allocations_per_packet.toPrecision(3)),
  r.target_ns === undefined ? '-' : String(r.target_ns),
  r.target_met === null ? '-' : r.target_met ? 'met' : `miss x${f(r.mqttconn_ns / r.target_ns, 1)}`,
  r.ratio_met ? 'met' : 'miss',
  ns(r.mqttconn_cpu_ns), ns(r.mqtt_packet_cpu_ns)
])
const widths = head.map((h, i) => Math.max(h.length, ...body.map((r) => r[i].length)))
const line = (cells) => '| ' + cells.map((c, i) => i < 2 ? c.padEnd(widths[i]) : c.padStart(widths[i])).join(' | ') + ' |'
console.log(line(head))
console.log('|' + widths.map((w, i) => i < 2 ? '-'.repeat(w + 2) : '-'.repeat(w + 1) + ':').join('|') + '|')
for (const r of body) console.log(line(r))
const w6 = rows.find((r) => r.workload === 'W6')
if (w6) console.log(`\nW6: ${w6.mqttconn_ns.toFixed(1)} ms per million packets (mqttconn), ${w6.mqtt_packet_ns.toFixed(0)} ms (mqtt-packet)`)
const differ = rows.filter((r) => r.mqtt_packet_same_bytes === false)
if (differ.length) console.log(`mqtt-packet generate() gives different bytes for: ${differ.map((r) => r.workload).join(', ')}`)
console.log('ns/pkt: wall clock; cpu ns: CPU time of the benchmarking thread (mqttconn) / of the node process (mqtt-packet)')
console.log(`repetitions pooled per row: mqttconn ${rows[0] ? rows[0].reps.mqttconn : 0}, mqtt-packet ${rows[0] ? rows[0].reps.mqtt_packet : 0} (W6: ${w6 ? w6.reps.mqtt_packet : 0})`)

if (out) fs.writeFileSync(out, JSON.stringify({ rounds: files.mqttconn.length, rows }, null, 2) + '\n')
