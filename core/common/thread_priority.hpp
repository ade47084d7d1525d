#pragma once
// Background threads (training, session files) yield the CPU to the thread a person is watching:
// on two cores, a save's compression and training together otherwise hold the GUI thread off
// the CPU for tens of milliseconds (issue 20's soak). Lowering their scheduling priority costs
// training nothing on an idle machine; it only changes who waits when the cores are full.
namespace cbl {

/// Raises the calling thread's nice value by `increment` (at most to 19), once per thread: later
/// calls on the same thread do nothing. A no-op where threads have no nice value of their own.
void lower_this_thread_priority(int increment);

} // namespace cbl
