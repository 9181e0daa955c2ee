#!/usr/bin/env python3
"""What a network capture's guest does around its receive NAPI polls (docs/NET-NOTES.md, "Between the polls").

  scripts/net-rx-polls.py GUEST_FTRACE[.gz] [QEMU_LOG[.gz]] ...    (default: the two tcp-rx nooffload runs
                                                                  of samples/qemu-lab-net, with their QEMU logs)

Reads guest ftraces of the net lab's kind (pure Python, no packages; the window between the WL-BEGIN and
WL-END markers when the trace has them) and prints per run:
 1. the receive polls (the napi struct whose napi_poll follows napi_gro_receive_entry events): frames per
    poll (work), the polls that used their whole budget, the polls per receive interrupt, and the task that
    ran each poll (ksoftirqd, <idle> on an interrupt's way out, or a process on local_bh_enable);
 2. the time between polls, from a poll's napi_poll (the tracepoint fires when the driver's poll returns) to
    the next poll's first napi_gro_receive_entry: after a poll that used its whole budget, split by whether
    another task ran in between (the receiving process) and by the tasks of the two polls; after a poll that
    completed NAPI (the next one needs an interrupt);
 3. the time inside polls per frame (first frame -> napi_poll) and its gaps of more than 1 ms, by the event
    that ended them (an interrupt taken inside the softirq is marked [H]);
 4. the transmits (net_dev_xmit) by task and context, and a kick's (virtqueue_notify) time to the next event;
 5. the replay's arrival batches: a received frame's replay time is the last receive interrupt before it
    (vqsim's NetGuestTrace), a transmit's its net_dev_queue, and arrivals are taken in trace order, so a
    frame taken after a transmit with a later time arrives at that transmit's time; the number of distinct
    receive arrival times, and the frames moved later.
With a QEMU log after a guest ftrace: the receive queue's pops (pop -> pop within a stretch of events less
than 100 us apart), the stretches, and the transmit interrupts (virtio_notify on the transmit queue) that
the same stretch follows with receive pops (the main loop serving the tap after raising the interrupt).
"""
import collections
import gzip
import os
import re
import statistics
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LINE = re.compile(r'^\s*(.+?)-(\d+)\s+\[(\d+)\]\s+(\S{5})\s+([\d.]+):\s+(\S+?):?\s(.*)$')
GAP_S = 1e-3


def opener(path):
    return gzip.open(path, 'rt', errors='replace') if path.endswith('.gz') else open(path, errors='replace')


def task_class(task):
    if task.startswith('ksoftirqd'):
        return 'ksoftirqd'
    if task == '<idle>':
        return 'idle'
    return task


def quantile(v, p):
    s = sorted(v)
    return s[min(len(s) - 1, int(p * len(s)))]


def us(v):
    if not v:
        return 'none'
    return 'n=%d median %.0f us, p10 %.0f, p90 %.0f, mean %.0f, sum %.1f ms' % (
        len(v), quantile(v, .5) * 1e6, quantile(v, .1) * 1e6, quantile(v, .9) * 1e6, statistics.mean(v) * 1e6, sum(v) * 1e3)


def load_guest(path):
    """(time s, task, flags, event, rest) in the workload window (all lines when there are no markers)."""
    events, window, marked = [], [], False
    with opener(path) as f:
        for line in f:
            if line.startswith('#'):
                continue
            m = LINE.match(line)
            if not m:
                continue
            task, _, _, flags, ts, name, rest = m.groups()
            e = (float(ts), task, flags, name, rest)
            if name == 'tracing_mark_write':
                if 'WL-BEGIN' in rest:
                    marked, window = True, []
                elif 'WL-END' in rest and marked:
                    events = window
                    marked = False
                continue
            window.append(e)
    return events if events else window


def softirq(flags):
    return flags[2] in 'sS'


def guest_report(path):
    ev = load_guest(path)
    if not ev:
        print('%s: no events' % path)
        return
    print('== %s: %d events, window %.3f s' % (os.path.basename(path), len(ev), ev[-1][0] - ev[0][0]))
    struct = re.compile(r'struct (\S+)')
    work_re = re.compile(r'work (\d+) budget (\d+)')
    rx_votes, seen = collections.Counter(), False
    for e in ev:
        if e[3] == 'napi_gro_receive_entry':
            seen = True
        elif e[3] == 'napi_poll':
            if seen:
                rx_votes[struct.search(e[4]).group(1)] += 1
            seen = False
    if not rx_votes:
        print('  no receive polls')
        return
    rx = rx_votes.most_common(1)[0][0]
    # 1. the receive polls
    polls = []  # (index of napi_poll, task, work, budget, index of first frame or None, frames)
    first, frames, irqs_in, per_irq, since = None, 0, 0, [], None
    for i, e in enumerate(ev):
        if e[3] == 'irq_handler_entry' and '-input.' in e[4]:
            irqs_in += 1
            if since is not None:
                per_irq.append(since)
            since = 0
        elif e[3] == 'napi_gro_receive_entry':
            if first is None:
                first = i
            frames += 1
        elif e[3] == 'napi_poll' and struct.search(e[4]).group(1) == rx:
            w, b = (int(x) for x in work_re.search(e[4]).groups())
            polls.append((i, task_class(e[1]), w, b, first, frames))
            first, frames = None, 0
            if since is not None:
                since += 1
    if since is not None:
        per_irq.append(since)
    work = [p[2] for p in polls]
    full = [p for p in polls if p[2] >= p[3]]
    print('  receive polls %d, frames %d, receive interrupts %d: frames per poll mean %.1f, median %d; %d polls used their whole budget'
          % (len(polls), sum(work), irqs_in, statistics.mean(work), quantile(work, .5), len(full)))
    if per_irq:
        print('  polls per receive interrupt: mean %.2f, median %d; frames per receive interrupt: %.1f'
              % (statistics.mean(per_irq), quantile(per_irq, .5), sum(work) / max(1, irqs_in)))
    by_task = collections.Counter(p[1] for p in polls)
    frames_by_task = collections.Counter()
    for p in polls:
        frames_by_task[p[1]] += p[2]
    print('  polls by task: %s; frames by task: %s; whole-budget polls by task: %s'
          % (dict(by_task), dict(frames_by_task), dict(collections.Counter(p[1] for p in full))))
    # 2. between the polls
    after_full, after_partial = collections.defaultdict(list), collections.defaultdict(list)
    for a, b in zip(polls, polls[1:]):
        if b[4] is None:
            continue
        gap = ev[b[4]][0] - ev[a[0]][0]
        between = set(task_class(ev[j][1]) for j in range(a[0] + 1, b[4])) - {a[1], b[1]}
        if a[2] >= a[3]:
            key = '%s -> %s, %s' % (a[1], b[1], 'with ' + '+'.join(sorted(between)) + ' between' if between else 'nothing else between')
            after_full[key].append(gap)
        else:
            after_partial['%s -> %s' % (a[1], b[1])].append(gap)
    print('  after a poll that used its whole budget (napi_poll -> next poll\'s first frame):%s' % ('' if after_full else ' none'))
    for k in sorted(after_full, key=lambda k: -len(after_full[k])):
        print('    %s: %s' % (k, us(after_full[k])))
    print('  after a poll that completed NAPI:%s' % ('' if after_partial else ' none'))
    for k in sorted(after_partial, key=lambda k: -len(after_partial[k])):
        print('    %s: %s' % (k, us(after_partial[k])))
    # 3. inside the polls
    inside, nframes, big = 0.0, 0, collections.defaultdict(list)
    for p in polls:
        if p[4] is None:
            continue
        inside += ev[p[0]][0] - ev[p[4]][0]
        nframes += p[5]
        for j in range(p[4] + 1, p[0] + 1):
            g = ev[j][0] - ev[j - 1][0]
            if g > GAP_S:
                name = ev[j][3] + (' ' + ev[j][4].split('name=')[-1] if ev[j][3] == 'irq_handler_entry' else '')
                big[name + (' [H]' if ev[j][2][2] == 'H' else '')].append(g)
    gaps = sum(sum(v) for v in big.values())
    print('  inside the polls: %.1f ms for %d frames, %.1f us per frame; gaps over 1 ms: %d, %.1f ms (%.1f us per frame), ended by:'
          % (inside * 1e3, nframes, inside / max(1, nframes) * 1e6, sum(len(v) for v in big.values()), gaps * 1e3, gaps / max(1, nframes) * 1e6))
    for k in sorted(big, key=lambda k: -sum(big[k])):
        print('    %s: %d, %.1f ms' % (k, len(big[k]), sum(big[k]) * 1e3))
    # 4. transmits and kicks
    xmit = collections.Counter((task_class(e[1]), 'softirq' if softirq(e[2]) else 'process') for e in ev if e[3] == 'net_dev_xmit')
    print('  transmits by (task, context): %s' % {'%s/%s' % k: v for k, v in xmit.items()})
    kicks = collections.defaultdict(list)
    for i, e in enumerate(ev[:-1]):
        if e[3] == 'virtqueue_notify':
            kicks['%s/%s' % (task_class(e[1]), 'softirq' if softirq(e[2]) else 'process')].append(ev[i + 1][0] - e[0])
    for k in sorted(kicks):
        print('  kick -> next event, %s: %s' % (k, us(kicks[k])))
    # 5. the replay's arrival batches
    irq, last, times, moved, rx_frames = None, -1.0, set(), 0, 0
    for e in ev:
        if e[3] == 'irq_handler_entry' and '-input.' in e[4]:
            irq = e[0]
        elif e[3] == 'net_dev_queue':
            last = max(e[0], last)
        elif e[3] == 'napi_gro_receive_entry':
            own = irq if irq is not None else e[0]
            t = max(own, last)
            moved += t > own
            last = t
            times.add(t)
            rx_frames += 1
    print('  replay arrivals in trace order: %d received frames at %d distinct times; %d frames moved later than their interrupt by a transmit before them'
          % (rx_frames, len(times), moved))


def qemu_report(path):
    ev = []
    with opener(path) as f:
        for line in f:
            head, sep, rest = line.partition(':')
            if not sep or '@' not in head:
                continue
            try:
                ts = float(head.split('@')[1])
            except ValueError:
                continue
            ev.append((ts, rest.split()))
    pops = [e for e in ev if e[1] and e[1][0] == 'virtqueue_pop' and 'in_num' in e[1]
            and e[1][e[1].index('in_num') + 1] == '1' and e[1][e[1].index('out_num') + 1] == '0']
    if not pops:
        print('  %s: no receive pops' % os.path.basename(path))
        return
    rxvq = pops[0][1][2]
    rx = [e[0] for e in ev if e[1][0] == 'virtqueue_pop' and e[1][2] == rxvq]
    stretches, cur = [], [rx[0]]
    for a, b in zip(rx, rx[1:]):
        if b - a > 100e-6:
            stretches.append(cur)
            cur = [b]
        else:
            cur.append(b)
    stretches.append(cur)
    inner = [y - x for s in stretches for x, y in zip(s, s[1:])]
    sizes = [len(s) for s in stretches]
    print('  %s: %d receive pops, pop -> pop inside stretches median %.1f us; %d stretches of median %d pops (mean %.1f, max %d)'
          % (os.path.basename(path), len(rx), quantile(inner, .5) * 1e6 if inner else 0, len(stretches), quantile(sizes, .5), statistics.mean(sizes), max(sizes)))
    followed, spans, n = 0, [], 0
    for i, e in enumerate(ev):
        if e[1][0] == 'virtio_notify' and len(e[1]) > 4 and e[1][4] != rxvq:
            n += 1
            j, last, k = i + 1, e[0], 0
            while j < len(ev) and ev[j][0] - last < 100e-6:
                k += ev[j][1][0] == 'virtqueue_pop' and ev[j][1][2] == rxvq
                last = ev[j][0]
                j += 1
            if k:
                followed += 1
                spans.append(last - e[0])
    print('  transmit interrupts %d, %d followed in the same stretch by receive pops; that stretch after the interrupt: %s' % (n, followed, us(spans)))


def main(args):
    if not args:
        s = os.path.join(ROOT, 'samples', 'qemu-lab-net')
        args = []
        for m in ('bounce', 'viommu-strict'):
            args += [os.path.join(s, 'tcp-rx.%s.nooffload.guest-ftrace.txt.gz' % m), os.path.join(s, 'tcp-rx.%s.nooffload.qemu-trace.log.gz' % m)]
    for a in args:
        if not os.path.exists(a):
            sys.exit('net-rx-polls: %s: no such file' % a)
        if 'qemu' in os.path.basename(a):
            qemu_report(a)
        else:
            guest_report(a)


if __name__ == '__main__':
    main(sys.argv[1:])
