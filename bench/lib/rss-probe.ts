/**
 * Preloaded into a benchmark child with `node --import <this file>`: when the process exits it
 * writes its own peak RSS and CPU time to $SNARF_BENCH_PROBE_OUT, so a benchmark can report the
 * in-process figure for a program it does not control (the real `snarf` CLI). The variable is
 * removed from the environment at load so the child's own children never overwrite the file.
 */
import fs from 'node:fs';

const out = process.env.SNARF_BENCH_PROBE_OUT;
if (out) {
  delete process.env.SNARF_BENCH_PROBE_OUT;
  process.on('exit', (code) => {
    const ru = process.resourceUsage();
    fs.writeFileSync(out, JSON.stringify({
      maxRssKB: ru.maxRSS,
      userSeconds: ru.userCPUTime / 1e6,
      systemSeconds: ru.systemCPUTime / 1e6,
      exitCode: code,
    }));
  });
}
