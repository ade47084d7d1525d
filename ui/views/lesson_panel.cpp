#include "ui/views/lesson_panel.hpp"

#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QVBoxLayout>

namespace cbl::ui {

QString lesson_setup_text(const Lesson& l) {
    QString s = "Preset " + QString::fromStdString(l.preset);
    QStringList set;
    for (const auto& [key, value] : l.overrides)
        set.append(QString::fromStdString(key + " = " + value.dump()));
    if (!set.isEmpty()) s += " with " + set.join(", ");
    return s;
}

namespace {
QLabel* text_label() {
    auto* l = new QLabel;
    l->setWordWrap(true);
    l->setTextInteractionFlags(Qt::TextSelectableByMouse);
    l->setAlignment(Qt::AlignLeft | Qt::AlignTop);
    return l;
}
} // namespace

LessonPanel::LessonPanel(QWidget* parent) : QWidget(parent) {
    title_ = text_label();
    QFont big = title_->font();
    big.setPointSizeF(big.pointSizeF() * 1.25);
    big.setBold(true);
    title_->setFont(big);
    title_->setText("No lesson chosen yet");
    setup_ = text_label();
    QFont italic = setup_->font();
    italic.setItalic(true);
    setup_->setFont(italic);
    setup_->setText("Each guided experiment loads a preset, says what to do and what to watch, "
                    "and asks one question.");
    todo_ = text_label();
    watch_ = text_label();
    question_ = text_label();
    answer_ = text_label();
    reveal_ = new QPushButton("Show the answer");
    reveal_->setToolTip("Think about the question first: the answer is short");
    restart_ = new QPushButton("Start again");
    restart_->setToolTip("Load the lesson's experiment again from its first image");
    auto* choose = new QPushButton("Choose a lesson…");
    choose->setToolTip("All guided experiments (also Help → Try this…)");

    auto* lay = new QVBoxLayout(this);
    lay->setContentsMargins(6, 6, 6, 6);
    lay->addWidget(title_);
    lay->addWidget(setup_);
    auto section = [&](const QString& heading, QLabel* body) {
        auto* h = new QLabel("<b>" + heading + "</b>");
        lessonOnly_ += {h, body};
        lay->addWidget(h);
        lay->addWidget(body);
    };
    section("Do", todo_);
    section("Watch", watch_);
    section("Question", question_);
    lay->addWidget(reveal_, 0, Qt::AlignLeft);
    lay->addWidget(answer_);
    lay->addStretch(1);
    auto* buttons = new QHBoxLayout;
    buttons->addWidget(restart_);
    buttons->addWidget(choose);
    buttons->addStretch(1);
    lay->addLayout(buttons);

    lessonOnly_ += {reveal_, restart_};
    for (QWidget* w : lessonOnly_)
        w->hide();
    answer_->hide();

    connect(reveal_, &QPushButton::clicked, this, &LessonPanel::revealAnswer);
    connect(restart_, &QPushButton::clicked, this, [this] { Q_EMIT restartRequested(name_); });
    connect(choose, &QPushButton::clicked, this, &LessonPanel::chooseRequested);
}

void LessonPanel::showLesson(const Lesson& l) {
    name_ = QString::fromStdString(l.name);
    title_->setText(QString::fromStdString(l.title));
    setup_->setText(lesson_setup_text(l));
    todo_->setText(QString::fromStdString(l.todo));
    watch_->setText(QString::fromStdString(l.watch));
    question_->setText(QString::fromStdString(l.question));
    answer_->setText(QString::fromStdString(l.answer));
    for (QWidget* w : lessonOnly_)
        w->show();
    answer_->hide();
}

bool LessonPanel::answerShown() const {
    return !answer_->isHidden();
}

void LessonPanel::revealAnswer() {
    answer_->show();
    reveal_->hide();
}

} // namespace cbl::ui
