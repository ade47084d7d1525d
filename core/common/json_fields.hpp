#pragma once
// Reads the fields of one JSON object into a config struct: a missing field keeps its default,
// a field of the wrong type or an unknown key is rejected with its dotted path named.
#include "core/common/param_error.hpp"

#include <nlohmann/json.hpp>

#include <set>
#include <string>

namespace cbl {

class JsonFields {
  public:
    JsonFields(const nlohmann::json& j, std::string path) : j_(j), path_(std::move(path)) {
        if (!j_.is_object()) throw InputError(path_ + " must be a JSON object");
    }

    template <typename T>
    void get(const char* key, T& value) {
        seen_.insert(key);
        const auto it = j_.find(key);
        if (it == j_.end()) return;
        try {
            if constexpr (std::is_same_v<T, bool>) {
                if (!it->is_boolean()) throw std::runtime_error("expected true or false");
            } else if constexpr (std::is_arithmetic_v<T>) {
                if (!it->is_number()) throw std::runtime_error("expected a number");
                if constexpr (std::is_integral_v<T>)
                    if (!it->is_number_integer() && !it->is_number_unsigned())
                        throw std::runtime_error("expected a whole number");
            } else if constexpr (std::is_same_v<T, std::string>) {
                if (!it->is_string()) throw std::runtime_error("expected a string");
            }
            value = it->template get<T>();
        } catch (const InputError&) {
            throw;
        } catch (const std::exception& e) {
            throw InputError(path_ + "." + key + ": " + e.what() + ", got " + it->dump());
        }
    }

    /// Marks a key as known whose value is read elsewhere (a nested object).
    void allow(const char* key) { seen_.insert(key); }

    /// Rejects keys that no get() asked for (a typo must not silently do nothing).
    void finish() const {
        for (const auto& [key, value] : j_.items())
            if (!seen_.count(key) && key != "comment")
                throw InputError(path_ + "." + key + " is not a known field");
    }

  private:
    const nlohmann::json& j_;
    std::string path_;
    std::set<std::string> seen_;
};

} // namespace cbl
