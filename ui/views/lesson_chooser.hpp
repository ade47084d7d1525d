#pragma once
// The list of guided experiments (Help → Try this…, and once at first start): a lesson's title,
// what it loads and what to do; files that do not load are listed with their one-line error.
#include "core/experiment/lesson.hpp"

#include <QDialog>

class QListWidget;
class QLabel;

namespace cbl::ui {

class LessonChooser : public QDialog {
    Q_OBJECT
  public:
    explicit LessonChooser(LessonLibrary library, QWidget* parent = nullptr);
    /// The lesson chosen (valid after exec() returned Accepted).
    const Lesson* chosen() const;

  private:
    void preview();
    LessonLibrary library_;
    QListWidget* list_;
    QLabel* preview_;
};

} // namespace cbl::ui
