#pragma once
// Guided experiments ("Try this"): short lessons stored as JSON in resources/lessons/, each a
// preset with optional --set-style overrides, what to do, what to watch and one question. They
// are data, not code: a lesson file is validated field by field when it is read, and a bad one
// is refused with a single line naming the file and the field.
#include "core/experiment/config.hpp"

#include <string>
#include <vector>

namespace cbl {

struct Lesson {
    std::string name;  ///< the file's stem, e.g. "01-direct-vs-mca"
    std::string title; ///< one line for the lesson list
    std::string preset;
    /// Dotted config paths and their values, applied to the preset as `--set KEY=VALUE` is.
    std::vector<std::pair<std::string, nlohmann::json>> overrides;
    std::string todo;     ///< "do": what to do, step by step
    std::string watch;    ///< what to look at while it runs
    std::string question; ///< one question for the student
    std::string answer;   ///< its short answer, revealed on request
    /// What the lesson brings to the front (lesson_show_names()), in order.
    std::vector<std::string> show;
    ExperimentConfig config; ///< the preset with the overrides, validated
};

/// What a lesson's "show" may name: the views and heatmap tabs a lesson brings to the front.
const std::vector<std::string>& lesson_show_names();
/// Names of the lessons in resources/lessons, sorted (the files' numeric prefixes order them).
std::vector<std::string> lesson_names();
/// Reads and validates one lesson file; InputError "FILE: FIELD ..." on any problem.
Lesson load_lesson_file(const std::string& path);
/// Loads a lesson of resources/lessons by name; InputError lists the names when it is unknown.
Lesson load_lesson(const std::string& name);

/// Every lesson that loads, and one line per file that does not.
struct LessonLibrary {
    std::vector<Lesson> lessons;
    std::vector<std::string> errors;
};
LessonLibrary load_lessons();

} // namespace cbl
