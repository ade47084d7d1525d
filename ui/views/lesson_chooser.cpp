#include "ui/views/lesson_chooser.hpp"

#include "ui/views/lesson_panel.hpp"

#include <QDialogButtonBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QListWidget>
#include <QPushButton>
#include <QVBoxLayout>

namespace cbl::ui {

LessonChooser::LessonChooser(LessonLibrary library, QWidget* parent)
    : QDialog(parent), library_(std::move(library)) {
    setWindowTitle("Try this: guided experiments");
    auto* intro = new QLabel("Each lesson loads an experiment, says what to do and what to "
                             "watch, and asks one question. Help → Try this… brings this list "
                             "back at any time.");
    intro->setWordWrap(true);
    list_ = new QListWidget;
    list_->setSpacing(3); // rows far enough apart to pick one on a projector or touchpad
    for (std::size_t i = 0; i < library_.lessons.size(); ++i) {
        const Lesson& l = library_.lessons[i];
        auto* item = new QListWidgetItem(
            QString("%1. %2").arg(i + 1).arg(QString::fromStdString(l.title)), list_);
        item->setToolTip(lesson_setup_text(l));
    }
    preview_ = new QLabel;
    preview_->setWordWrap(true);
    preview_->setAlignment(Qt::AlignLeft | Qt::AlignTop);
    preview_->setMinimumWidth(260);
    auto* row = new QHBoxLayout;
    row->addWidget(list_, 3);
    row->addWidget(preview_, 2);
    auto* buttons = new QDialogButtonBox;
    QPushButton* start = buttons->addButton("Start lesson", QDialogButtonBox::AcceptRole);
    start->setToolTip("Load the lesson's experiment (the current training is discarded unless "
                      "saved) and show the lesson beside it");
    buttons->addButton("Not now", QDialogButtonBox::RejectRole);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(list_, &QListWidget::currentRowChanged, this, &LessonChooser::preview);
    connect(list_, &QListWidget::itemDoubleClicked, this, &QDialog::accept);

    auto* lay = new QVBoxLayout(this);
    lay->addWidget(intro);
    lay->addLayout(row, 1);
    if (!library_.errors.empty()) {
        // A broken lesson file is named, not hidden: whoever edited it sees why it is missing.
        QStringList lines;
        for (const auto& e : library_.errors)
            lines.append(QString::fromStdString(e).toHtmlEscaped());
        auto* errors =
            new QLabel("<span style='color:#b00020'>Not loaded: " + lines.join("<br>Not loaded: ") +
                       "</span>");
        errors->setWordWrap(true);
        errors->setTextInteractionFlags(Qt::TextSelectableByMouse);
        lay->addWidget(errors);
    }
    lay->addWidget(buttons);
    start->setEnabled(!library_.lessons.empty());
    if (!library_.lessons.empty()) list_->setCurrentRow(0);
    resize(720, 420); // fits a 1280x720 screen with room around it
}

void LessonChooser::preview() {
    const Lesson* l = chosen();
    if (!l) return;
    preview_->setText(QString("<b>%1</b><br><i>%2</i><br><br>%3")
                          .arg(QString::fromStdString(l->title).toHtmlEscaped(),
                               lesson_setup_text(*l).toHtmlEscaped(),
                               QString::fromStdString(l->todo).toHtmlEscaped()));
}

const Lesson* LessonChooser::chosen() const {
    const int row = list_->currentRow();
    return row >= 0 && row < int(library_.lessons.size()) ? &library_.lessons[std::size_t(row)]
                                                          : nullptr;
}

} // namespace cbl::ui
