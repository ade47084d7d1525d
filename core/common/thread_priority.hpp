#pragma once
// Background threads (training, session files) yield the CPU to the thread a person is watching:
// on two cores, a save's compression and training together otherwise hold the GUI thread off
// the CPU for tens of milliseconds (issue 20's soak). Lowering their scheduling priority costs
// training nothing on an idle machine; it only changes who waits when the cores are full.
namespace cbl {

/// Nice increment of every background thread (the engine's and the session worker's): enough
/// that a waking GUI thread takes a core from them at once, little enough that training still
/// outranks background work of other programs. One level for all of them: a thread ranked below
/// the others can be preempted while it holds a lock the GUI thread needs (the process's memory
/// map, which mapping and unmapping a save's large blocks takes), and the GUI then waits for it
/// as long as the others run (the likely cause of a 64 ms stall, the GUI thread asleep, in issue
/// 20's hour soak with the saves at +10; none in the hour after).
constexpr int background_nice_increment = 5;

/// Raises the calling thread's nice value by `increment` (at most to 19) and, on Linux, puts it
/// in the SCHED_BATCH policy (sched(7): a batch thread does not preempt a running thread when it
/// wakes), once per thread: later calls on the same thread do nothing. Training's TBB workers wake
/// many times a second; as normal threads each wake-up could take the core from the GUI thread
/// in the middle of a redraw (the "waited for a core" part of the soak's stalls). A no-op where
/// threads have no nice value of their own.
void lower_this_thread_priority(int increment);

} // namespace cbl
