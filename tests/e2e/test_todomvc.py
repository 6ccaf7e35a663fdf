"""TodoMVC's app spec, behaviour by behaviour, in Debian's Chromium against the served site."""

from playwright.sync_api import expect

from tests.e2e.helpers import add, item, items, stored_titles


def test_new_todo_input_has_focus_and_the_spec_placeholder(app_page):
    field = app_page.locator("input.new-todo")
    expect(field).to_be_focused()
    expect(field).to_have_attribute("placeholder", "What needs to be done?")


def test_main_and_footer_are_hidden_when_there_are_no_todos(app_page):
    expect(app_page.locator(".main")).to_be_hidden()
    expect(app_page.locator(".footer")).to_be_hidden()
    add(app_page, "one")
    expect(app_page.locator(".main")).to_be_visible()
    expect(app_page.locator(".footer")).to_be_visible()
    items(app_page).first.hover()
    items(app_page).first.locator(".destroy").click()
    expect(app_page.locator(".main")).to_be_hidden()
    expect(app_page.locator(".footer")).to_be_hidden()


def test_enter_adds_a_trimmed_todo_and_clears_the_input(app_page):
    add(app_page, "   buy some cheese   ", "feed the cat")
    expect(items(app_page).locator("label")).to_have_text(["buy some cheese", "feed the cat"])


def test_blank_add_is_ignored(app_page):
    field = app_page.locator(".new-todo")
    field.fill("    ")
    field.press("Enter")
    expect(items(app_page)).to_have_count(0)
    field.fill("one")  # the same keys with a title do add it
    field.press("Enter")
    expect(items(app_page)).to_have_count(1)


def test_markup_follows_the_todomvc_template(app_page):
    add(app_page, "one")
    row = app_page.locator("section.todoapp ul.todo-list > li")
    expect(row.locator("> div.view > input.toggle[type=checkbox]")).to_have_count(1)
    expect(row.locator("> div.view > label")).to_have_text("one")
    expect(row.locator("> div.view > button.destroy")).to_have_count(1)
    expect(row.locator("> input.edit")).to_have_count(1)
    expect(app_page.locator("input#toggle-all.toggle-all + label[for=toggle-all]")).to_have_text(
        "Mark all as complete"
    )
    links = app_page.locator("footer.footer > ul.filters > li > a")
    assert links.evaluate_all("as => as.map(a => a.getAttribute('href'))") == ["#/", "#/active", "#/completed"]
    expect(app_page.locator("footer.footer > span.todo-count > strong")).to_have_text("1")
    clear = app_page.locator("footer.footer > button.clear-completed")
    expect(clear).to_be_hidden()  # until a to-do is completed
    row.locator(".toggle").check()
    expect(clear).to_have_text("Clear completed")
    expect(clear).to_be_visible()


def test_counter_says_item_or_items_left_with_the_number_in_strong(app_page):
    count = app_page.locator(".todo-count")
    add(app_page, "one")
    expect(count).to_have_text("1 item left")
    expect(count.locator("strong")).to_have_text("1")
    add(app_page, "two")
    expect(count).to_have_text("2 items left")
    items(app_page).first.locator(".toggle").check()
    expect(count).to_have_text("1 item left")
    items(app_page).nth(1).locator(".toggle").check()
    expect(count).to_have_text("0 items left")


def test_toggle_all_marks_all_complete_and_back(app_page):
    add(app_page, "one", "two")
    toggle_all = app_page.locator(".toggle-all")
    app_page.get_by_text("Mark all as complete").click()
    expect(items(app_page)).to_have_class(["completed", "completed"])
    expect(toggle_all).to_be_checked()
    app_page.get_by_text("Mark all as complete").click()
    expect(items(app_page)).to_have_class(["", ""])
    expect(toggle_all).not_to_be_checked()


def test_toggle_all_tracks_the_state_of_the_items(app_page):
    add(app_page, "one", "two")
    toggle_all = app_page.locator(".toggle-all")
    items(app_page).nth(0).locator(".toggle").check()
    expect(toggle_all).not_to_be_checked()
    items(app_page).nth(1).locator(".toggle").check()
    expect(toggle_all).to_be_checked()
    items(app_page).nth(0).locator(".toggle").uncheck()
    expect(toggle_all).not_to_be_checked()


def test_toggle_marks_a_todo_completed_and_back(app_page):
    add(app_page, "one")
    toggle = items(app_page).first.locator(".toggle")
    toggle.check()
    expect(items(app_page).first).to_have_class("completed")
    toggle.uncheck()
    expect(items(app_page).first).not_to_have_class("completed")


def test_double_click_edits_and_enter_saves_the_trimmed_title(app_page):
    add(app_page, "one", "two")
    item(app_page, "one").locator("label").dblclick()
    row = items(app_page).first
    expect(row).to_have_class("editing")
    edit = row.locator(".edit")
    expect(edit).to_be_focused()
    expect(edit).to_have_value("one")
    expect(row.locator(".toggle")).to_be_hidden()
    expect(items(app_page).nth(1).locator(".toggle")).to_be_visible()  # on the row not being edited
    edit.fill("   first   ")
    edit.press("Enter")
    expect(items(app_page).locator("label")).to_have_text(["first", "two"])
    expect(row).not_to_have_class("editing")
    expect(row.locator(".toggle")).to_be_visible()
    assert stored_titles(app_page) == ["first", "two"]


def test_blur_saves_an_edit(app_page):
    add(app_page, "one")
    items(app_page).first.locator("label").dblclick()
    items(app_page).first.locator(".edit").fill("changed")
    app_page.locator(".new-todo").focus()
    expect(items(app_page).locator("label")).to_have_text(["changed"])


def test_escape_cancels_an_edit(app_page):
    add(app_page, "one")
    items(app_page).first.locator("label").dblclick()
    expect(items(app_page).first).to_have_class("editing")
    edit = items(app_page).first.locator(".edit")
    edit.fill("not this")
    edit.press("Escape")
    expect(items(app_page).locator("label")).to_have_text(["one"])
    expect(items(app_page).first).not_to_have_class("editing")
    assert stored_titles(app_page) == ["one"]


def test_blank_edit_removes_the_todo(app_page):
    add(app_page, "one", "two")
    items(app_page).first.locator("label").dblclick()
    items(app_page).first.locator(".edit").fill("   ")
    items(app_page).first.locator(".edit").press("Enter")
    expect(items(app_page).locator("label")).to_have_text(["two"])


def test_destroy_button_removes_the_todo(app_page):
    add(app_page, "one", "two")
    item(app_page, "one").hover()
    item(app_page, "one").locator(".destroy").click()
    expect(items(app_page).locator("label")).to_have_text(["two"])


def test_clear_completed_is_shown_only_with_completed_todos_and_removes_them(app_page):
    add(app_page, "one", "two", "three")
    clear = app_page.locator(".clear-completed")
    expect(clear).to_be_hidden()
    items(app_page).nth(1).locator(".toggle").check()
    expect(clear).to_have_text("Clear completed")
    clear.click()
    expect(items(app_page).locator("label")).to_have_text(["one", "three"])
    expect(clear).to_be_hidden()


def test_filters_show_active_completed_and_all_with_the_selected_link(app_page):
    add(app_page, "one", "two", "three")
    items(app_page).nth(1).locator(".toggle").check()
    app_page.get_by_role("link", name="Active").click()
    expect(items(app_page).locator("label")).to_have_text(["one", "three"])
    expect(app_page.get_by_role("link", name="Active")).to_have_class("selected")
    app_page.get_by_role("link", name="Completed").click()
    expect(items(app_page).locator("label")).to_have_text(["two"])
    expect(app_page.get_by_role("link", name="Completed")).to_have_class("selected")
    app_page.get_by_role("link", name="All").click()
    expect(items(app_page)).to_have_count(3)
    expect(app_page.get_by_role("link", name="All")).to_have_class("selected")


def test_filtering_is_live(app_page):
    add(app_page, "one", "two")
    app_page.get_by_role("link", name="Active").click()
    items(app_page).first.locator(".toggle").click()  # the row leaves the Active view at once
    expect(items(app_page).locator("label")).to_have_text(["two"])
    app_page.get_by_role("link", name="Completed").click()
    expect(items(app_page).locator("label")).to_have_text(["one"])
    items(app_page).first.locator(".toggle").click()
    expect(items(app_page)).to_have_count(0)


def test_back_button_returns_to_the_previous_filter(app_page):
    add(app_page, "one", "two")
    items(app_page).first.locator(".toggle").check()
    app_page.get_by_role("link", name="Active").click()
    app_page.get_by_role("link", name="Completed").click()
    expect(items(app_page).locator("label")).to_have_text(["one"])
    app_page.go_back()
    expect(items(app_page).locator("label")).to_have_text(["two"])
    expect(app_page.get_by_role("link", name="Active")).to_have_class("selected")
    app_page.go_back()
    expect(items(app_page)).to_have_count(2)


def test_filter_is_kept_across_reload(app_page):
    add(app_page, "one", "two")
    items(app_page).first.locator(".toggle").check()
    app_page.get_by_role("link", name="Completed").click()
    app_page.reload()
    app_page.wait_for_selector("html[data-ready]", state="attached")
    expect(items(app_page).locator("label")).to_have_text(["one"])
    expect(app_page.get_by_role("link", name="Completed")).to_have_class("selected")
