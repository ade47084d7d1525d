#pragma once
// The message of the InputError a call throws, or an empty string when it throws none: what the
// tests of one-line refusals compare.
#include "core/common/param_error.hpp"

#include <QString>

#include <functional>

namespace cbl::test {

inline QString message_of(const std::function<void()>& f) {
    try {
        f();
    } catch (const InputError& e) {
        return QString::fromStdString(e.what());
    }
    return {};
}

} // namespace cbl::test
