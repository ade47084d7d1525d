#pragma once
// What a well-formed session file holds, checked against the config it carries (issue 20): the
// HDF5 layer (hdf5_io, session_file) proves the file is readable; this proves its contents can
// be trusted to build and resume an experiment (rules: docs/session-format.md, "Validation").
#include "core/experiment/state.hpp"
#include "core/session/session_file.hpp"

namespace cbl {

/// Throws InputError "<dataset or attribute>: <what it holds>, expected <what>" at the first
/// problem: the stored config fails the preset schema or names a resource outside the lab's;
/// a state array is missing or has another dtype or shape than this config's network gives it;
/// history or state counts are negative or disagree with each other; a time, weight or
/// conductance is not finite or outside its physical range. load_session() runs it on every
/// load, before anything is built from the state.
void validate_session(const ExperimentState& st);

/// Throws InputError "/gui<...>: <what it holds>, expected <what>" when the GUI settings do not
/// fit the (validated) session `st`: a pin outside the network's weight layers and matrices, more
/// than max_pinned_synapses pins, a held colour range that is negative or not finite.
void validate_session_gui(const SessionGui& gui, const ExperimentState& st);

} // namespace cbl
