#pragma once
// The lesson in progress ("Try this"): what it loaded, what to do, what to watch and its
// question, whose answer shows on request. Lessons are data (core/experiment/lesson.hpp); this
// panel only draws one and asks the window for another.
#include "core/experiment/lesson.hpp"

#include <QWidget>

class QLabel;
class QPushButton;

namespace cbl::ui {

/// One line saying what a lesson loads: its preset and the overrides on top.
QString lesson_setup_text(const Lesson& l);

class LessonPanel : public QWidget {
    Q_OBJECT
  public:
    explicit LessonPanel(QWidget* parent = nullptr);
    void showLesson(const Lesson& l);
    bool hasLesson() const { return !name_.isEmpty(); }
    QString lessonName() const { return name_; }
    bool answerShown() const;
    void revealAnswer();

  Q_SIGNALS:
    void chooseRequested();
    /// Loads the lesson's experiment again from its start.
    void restartRequested(const QString& name);

  private:
    QString name_;
    QLabel *title_, *setup_, *todo_, *watch_, *question_, *answer_;
    QList<QWidget*> lessonOnly_; ///< hidden until a lesson is shown
    QPushButton *reveal_, *restart_;
};

} // namespace cbl::ui
